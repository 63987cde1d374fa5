using Confluent.Kafka;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;

namespace Gregor.EndToEnd.Tests.ProduceConsume.Acceptance;

/// <summary>Hand-made requests and small client helpers shared by the acceptance tests.</summary>
internal static class Raw
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static async Task CreateTopicAsync(int port, string topic, int partitions = 1, Dictionary<string, string>? configs = null)
    {
        using var connection = await RawConnection.ConnectAsync(port);
        var creatable = new CreateTopicsRequest.CreatableTopic { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 };
        foreach (var (key, value) in configs ?? [])
        {
            creatable.Configs.Add(new CreateTopicsRequest.CreatableTopicConfig { Name = key, Value = value });
        }
        await connection.SendAsync(new CreateTopicsRequest { Topics = [creatable] }, 7, 1);
        var (_, created) = await connection.ReadResponseAsync<CreateTopicsResponse>(7, Timeout);
        Assert.Equal(0, created.Topics[0].ErrorCode);
    }

    /// <summary>Sends one batch to partition 0 with Produce <paramref name="version"/> (v9 unless told) and returns that partition's answer.</summary>
    public static async Task<ProduceResponse.PartitionProduceResponse> ProduceAsync(RawConnection connection, string topic, byte[] batch, short acks = -1, int correlationId = 7,
        short version = 9)
    {
        var request = new ProduceRequest
        {
            Acks = acks,
            TimeoutMs = 5000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = batch }] }],
        };
        await connection.SendAsync(request, version, correlationId);
        var (id, response) = await connection.ReadResponseAsync<ProduceResponse>(version, Timeout);
        Assert.Equal(correlationId, id);
        return response.Responses[0].PartitionResponses[0];
    }

    /// <summary>The high watermark of partition 0, as Confluent.Kafka's consumer sees it.</summary>
    public static long HighWatermark(string bootstrap, string topic, int partition = 0)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "hw" }).Build();
        return consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), Timeout).High.Value;
    }
}
