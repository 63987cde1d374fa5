namespace Gregor.Broker.InterBroker;

/// <summary>
/// The one failure a <see cref="BrokerConnection"/> reports: the connection could not be made,
/// was closed or reset, timed out, or received a frame it could not accept. The message says
/// which, and names the destination. The connection is unusable afterwards (except when the
/// caller gave a version the request does not have, which is an <see cref="ArgumentException"/>).
/// </summary>
public sealed class BrokerConnectionException(string message, Exception? innerException = null)
    : Exception(message, innerException);
