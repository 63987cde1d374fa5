namespace Gregor.Broker.InterBroker;

/// <summary>How a <see cref="BrokerConnection"/> behaves.</summary>
public sealed record BrokerConnectionOptions
{
    /// <summary>The client id in every request header, e.g. "controller-1" or "broker-2".</summary>
    public required string ClientId { get; init; }

    /// <summary>How long the TCP connect may take (Kafka's controller uses controller.socket.timeout.ms, 30 s).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a request may wait for its response, counted from when it is sent. Responses come
    /// in order, so one that is late holds back all after it: the connection is closed.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest response frame accepted (its size prefix excluded); a larger one closes the connection.</summary>
    public int MaxResponseBytes { get; init; } = 100 * 1024 * 1024;

    /// <summary>The clock of the connect and request timeouts.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
