using Confluent.Kafka;

namespace Gregor.Tools;

/// <summary>
/// Builds Confluent.Kafka clients for the tools. librdkafka's own log lines (every refused
/// connection, every retry) are kept off the terminal; the last one is remembered so that a
/// failure can be explained in the tool's single error line.
/// </summary>
public static class KafkaClients
{
    public static IProducer<byte[]?, byte[]?> Producer(Dictionary<string, string> config, ClientErrors errors) =>
        new ProducerBuilder<byte[]?, byte[]?>(config)
            .SetLogHandler((_, message) => errors.Log(message))
            .SetErrorHandler((_, error) => errors.Record(error))
            .Build();

    public static ConsumerBuilder<byte[]?, byte[]?> ConsumerBuilder(Dictionary<string, string> config, ClientErrors errors) =>
        ConsumerBuilder<byte[]?, byte[]?>(config, errors);

    public static ConsumerBuilder<TKey, TValue> ConsumerBuilder<TKey, TValue>(Dictionary<string, string> config, ClientErrors errors) =>
        new ConsumerBuilder<TKey, TValue>(config)
            .SetLogHandler((_, message) => errors.Log(message))
            .SetErrorHandler((_, error) => errors.Record(error));

    public static string Describe(Error error) =>
        error.IsLocalError ? error.Reason : $"{error.Reason} ({error.Code})";
}

/// <summary>The last error or warning librdkafka reported, for error messages.</summary>
public sealed class ClientErrors
{
    private volatile string? _last;
    private volatile string? _lastConnectFailure;
    private volatile bool _allBrokersDown;

    public string? Last => _last;

    /// <summary>The last log line that reported a failed connect or name resolution.</summary>
    public string? LastConnectFailure => _lastConnectFailure;

    /// <summary>librdkafka has reported every bootstrap broker down.</summary>
    public bool AllBrokersDown => _allBrokersDown;

    public void Record(Error error)
    {
        if (error.Code == ErrorCode.Local_AllBrokersDown)
        {
            _allBrokersDown = true;
        }
        // "1/1 brokers are down" explains less than the connect failure logged before it.
        if (error.Code != ErrorCode.Local_AllBrokersDown || _last is null)
        {
            _last = error.Reason;
        }
    }

    public void Log(LogMessage message)
    {
        if (message.Level <= SyslogLevel.Warning)
        {
            _last = message.Message;
            if (ConnectFailure.Reason(message.Message) is not null)
            {
                _lastConnectFailure = message.Message;
            }
        }
    }
}
