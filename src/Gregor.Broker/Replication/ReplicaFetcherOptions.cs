using Gregor.Broker.Config;

namespace Gregor.Broker.Replication;

/// <summary>How the replica fetchers of one broker fetch (Kafka's replica.* keys).</summary>
public sealed record ReplicaFetcherOptions
{
    /// <summary>This broker's id: the replica id of every fetch, and part of the client id.</summary>
    public required int BrokerId { get; init; }

    /// <summary>num.replica.fetchers: fetchers per leader broker; a partition goes to one by hash.</summary>
    public int NumFetchers { get; init; } = 1;

    /// <summary>replica.fetch.wait.max.ms: how long the leader may hold a fetch that has less than MinBytes.</summary>
    public int MaxWaitMs { get; init; } = 500;

    /// <summary>replica.fetch.min.bytes.</summary>
    public int MinBytes { get; init; } = 1;

    /// <summary>replica.fetch.response.max.bytes: the whole response's limit.</summary>
    public int ResponseMaxBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>replica.fetch.max.bytes: each partition's limit.</summary>
    public int PartitionMaxBytes { get; init; } = 1024 * 1024;

    /// <summary>replica.fetch.backoff.ms: the pause after an error, per partition or for the connection.</summary>
    public TimeSpan Backoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>replica.socket.timeout.ms: connect and request timeout (it must exceed MaxWaitMs).</summary>
    public TimeSpan SocketTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public static ReplicaFetcherOptions From(BrokerConfig config) => new()
    {
        BrokerId = config.BrokerId,
        NumFetchers = Math.Max(1, config.NumReplicaFetchers),
        MaxWaitMs = config.ReplicaFetchWaitMaxMs,
        MinBytes = config.ReplicaFetchMinBytes,
        ResponseMaxBytes = config.ReplicaFetchResponseMaxBytes,
        PartitionMaxBytes = config.ReplicaFetchMaxBytes,
        Backoff = TimeSpan.FromMilliseconds(config.ReplicaFetchBackoffMs),
        SocketTimeout = TimeSpan.FromMilliseconds(Math.Max(config.ReplicaSocketTimeoutMs, config.ReplicaFetchWaitMaxMs + 1000)),
    };
}
