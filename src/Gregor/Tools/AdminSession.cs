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
        Admin = new AdminClientBuilder(config)
            .SetLogHandler((_, message) => _errors.Log(message))
            .SetErrorHandler((_, error) => _errors.Record(error))
            .Build();
    }

    public IAdminClient Admin { get; }

    public string Bootstrap { get; }

    public ClientErrors Errors => _errors;

    /// <summary>Connects and checks that the cluster answers a Metadata request.</summary>
    public static AdminSession Connect(Dictionary<string, string> config)
    {
        var session = new AdminSession(config);
        try
        {
            session.Metadata();
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
    /// could auto-create it on brokers that allow that; listing all never does.)
    /// </summary>
    public Metadata Metadata()
    {
        try
        {
            return Admin.GetMetadata(ToolTimeouts.Connect);
        }
        catch (KafkaException e) when (e.Error.IsLocalError)
        {
            var detail = _errors.Last ?? e.Error.Reason;
            throw new ToolException($"cannot reach the cluster at {Bootstrap} within {ToolTimeouts.Connect.TotalSeconds:0} s: {detail}");
        }
    }

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
