namespace Gregor.Broker.Server;

/// <summary>The broker cannot start (an unusable log dir, a port in use); the message says why.</summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
