using Gregor.ZooKeeper.Jute;

namespace Gregor.ZooKeeper.Protocol;

/// <summary>
/// The session handshake: ConnectRequest {protocolVersion, lastZxidSeen, timeOut, sessionId,
/// passwd} and ConnectResponse {protocolVersion, timeOut, sessionId, passwd}, each followed by
/// the readOnly byte. A response with timeOut 0 says the session has expired.
/// </summary>
internal static class ConnectMessages
{
    public const int PasswordLength = 16;

    public static byte[] EncodeRequest(long lastZxidSeen, int timeoutMs, long sessionId, ReadOnlySpan<byte> password)
    {
        var writer = new JuteWriter();
        writer.WriteInt(0);
        writer.WriteLong(lastZxidSeen);
        writer.WriteInt(timeoutMs);
        writer.WriteLong(sessionId);
        writer.WriteBuffer(password);
        writer.WriteBool(false);
        return writer.ToFrame();
    }

    public static ConnectResponse DecodeResponse(ReadOnlyMemory<byte> payload)
    {
        var reader = new JuteReader(payload);
        reader.ReadInt();
        var timeout = reader.ReadInt();
        var sessionId = reader.ReadLong();
        var password = reader.ReadBuffer();
        var readOnly = reader.Remaining > 0 && reader.ReadBool();
        return new ConnectResponse(timeout, sessionId, password, readOnly);
    }
}

internal sealed record ConnectResponse(int TimeoutMs, long SessionId, byte[] Password, bool ReadOnly);
