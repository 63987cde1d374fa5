namespace Gregor.Broker.Requests;

/// <summary>Thrown by a handler when Kafka's answer to the request is to close the connection; the message is logged.</summary>
public sealed class CloseConnectionException(string reason) : Exception(reason);
