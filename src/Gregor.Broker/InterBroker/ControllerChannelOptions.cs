namespace Gregor.Broker.InterBroker;

/// <summary>How the <see cref="ControllerChannelManager"/> reaches brokers.</summary>
public sealed record ControllerChannelOptions
{
    /// <summary>The controller's broker id: requests carry client id "controller-&lt;id&gt;".</summary>
    public required int ControllerId { get; init; }

    /// <summary>The wait before a failed request is tried again on a new connection (Kafka waits 100 ms).</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Connect timeout and request timeout alike, as Kafka's controller.socket.timeout.ms (30 s).</summary>
    public TimeSpan SocketTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock of the backoff and the timeouts.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    internal BrokerConnectionOptions Connection => new()
    {
        ClientId = $"controller-{ControllerId}",
        ConnectTimeout = SocketTimeout,
        RequestTimeout = SocketTimeout,
        Time = Time,
    };
}
