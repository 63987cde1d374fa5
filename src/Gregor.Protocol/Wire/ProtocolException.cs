namespace Gregor.Protocol.Wire;

/// <summary>
/// The one error type the protocol decoders throw: the bytes do not form a valid message
/// (a length past the end of the input, a negative length where none is allowed, a varint
/// longer than its type, invalid UTF-8, ...). Callers treat it as a malformed request.
/// </summary>
public sealed class ProtocolException(string message) : Exception(message);
