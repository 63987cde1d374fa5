using Confluent.Kafka;

namespace Gregor.Tools;

/// <summary>
/// An admin client plus the cluster's metadata, fetched once up front within
/// <see cref="ToolTimeouts.Connect"/>: an unreachable cluster becomes one clear error instead
/// of a hang.
/// </summary>
public sealed class AdminSession : IDisposable
{
    private readonly ClientErrors _errors = new();

    private AdminSession(Dictionary<string, string> config)
    {
        Bootstrap = config["bootstrap.servers"];
        // A tool's producer or consumer settings may include Confluent.Kafka's own
        // dotnet.producer.* / dotnet.consumer.* keys, which the admin client refuses.
        Admin = new AdminClientBuilder(config.Where(kv => !kv.Key.StartsWith("dotnet.producer.", StringComparison.Ordinal)
                && !kv.Key.StartsWith("dotnet.consumer.", StringComparison.Ordinal)))
            .SetLogHandler((_, message) => _errors.Log(message))
            .SetErrorHandler((_, error) => _errors.Record(error))
            .Build();
    }

    public IAdminClient Admin { get; }

    public string Bootstrap { get; }

    public ClientErrors Errors => _errors;

    /// <summary>
    /// Connects and checks that the cluster answers a Metadata request and that its brokers can
    /// be reached at the addresses it advertises (see <see cref="AdvertisedBrokers"/>).
    /// </summary>
    public static AdminSession Connect(Dictionary<string, string> config)
    {
        var session = new AdminSession(config);
        try
        {
            AdvertisedBrokers.Check(session.Metadata(), session.Bootstrap, ToolTimeouts.Connect);
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Metadata for all topics, bounded by the connect timeout. (Asking for one topic by name
    /// could auto-create it on brokers that allow that; listing all never does.) The wait is cut
    /// into short attempts so that a refused connection or an unknown host — which no amount of
    /// waiting cures — is reported at once rather than after the whole timeout.
    /// </summary>
    public Metadata Metadata()
    {
        var deadline = DateTime.UtcNow + ToolTimeouts.Connect;
        while (true)
        {
            var attempt = TimeSpan.FromTicks(Math.Min(Attempt.Ticks, Math.Max((deadline - DateTime.UtcNow).Ticks, 1)));
            try
            {
                return Admin.GetMetadata(attempt);
            }
            catch (KafkaException e) when (e.Error.IsLocalError)
            {
                var reason = ConnectFailure.Reason(_errors.LastConnectFailure);
                if (reason is not null && _errors.AllBrokersDown)
                {
                    // A slow first answer can let librdkafka move on to the advertised brokers and
                    // fail there before this sees the metadata: name the address that failed.
                    var address = ConnectFailure.UnresolvedAddress(_errors.LastConnectFailure);
                    throw new ToolException(address is not null && !AdvertisedBrokers.Given(Bootstrap).Contains(address)
                        ? ConnectFailure.AdvertisedMessage(Bootstrap, address, reason)
                        : ConnectFailure.Message(Bootstrap, reason));
                }
                if (DateTime.UtcNow >= deadline)
                {
                    throw new ToolException(ConnectFailure.Message(Bootstrap,
                        reason ?? $"no answer within {ToolTimeouts.Connect.TotalSeconds:0} s: {_errors.Last ?? e.Error.Reason}"));
                }
            }
        }
    }

    private static readonly TimeSpan Attempt = TimeSpan.FromSeconds(1);

    /// <summary>The partitions of a topic, or a "topic does not exist" error.</summary>
    public TopicMetadata Topic(string topic)
    {
        var found = Metadata().Topics.FirstOrDefault(t => t.Topic == topic);
        if (found is null || found.Error.Code == ErrorCode.UnknownTopicOrPart)
        {
            throw new ToolException($"topic '{topic}' does not exist");
        }
        if (found.Error.IsError)
        {
            throw new ToolException($"topic '{topic}': {KafkaClients.Describe(found.Error)}");
        }
        return found;
    }

    public void Dispose() => Admin.Dispose();
}
