using System.Buffers.Binary;
using System.Net.Sockets;
using Gregor.Protocol.Messages;
using Gregor.Protocol.Wire;

namespace Gregor.EndToEnd.Tests.Support;

/// <summary>A bare TCP connection to the broker for sending hand-made frames, valid or not.</summary>
public sealed class RawConnection : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private RawConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<RawConnection> ConnectAsync(int port)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port);
        return new RawConnection(client);
    }

    public Task SendRawAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask();

    /// <summary>Builds a request frame: size, header (version per the API's flexibility), body.</summary>
    public static byte[] BuildRequest<T>(T body, short version, int correlationId, string clientId = "e2e-test")
        where T : IKafkaMessage<T>
    {
        using var writer = new KafkaWriter();
        ClientFrames.WriteRequest(writer, body, version, correlationId, clientId);
        return writer.ToArray();
    }

    public Task SendAsync<T>(T body, short version, int correlationId)
        where T : IKafkaMessage<T> => SendRawAsync(BuildRequest(body, version, correlationId));

    /// <summary>Reads one response frame; null when the broker closed the connection.</summary>
    public async Task<byte[]?> ReadFrameAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var prefix = new byte[4];
        if (!await ReadExactlyAsync(prefix, cts.Token))
        {
            return null;
        }
        var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
        return await ReadExactlyAsync(frame, cts.Token) ? frame : null;
    }

    /// <summary>Reads a response frame and decodes header and body.</summary>
    public async Task<(int CorrelationId, TResponse Body)> ReadResponseAsync<TResponse>(short version, TimeSpan timeout)
        where TResponse : IKafkaMessage<TResponse>
    {
        var frame = await ReadFrameAsync(timeout) ?? throw new IOException("connection closed by broker");
        return Decode<TResponse>(frame, version);
    }

    public static (int CorrelationId, TResponse Body) Decode<TResponse>(byte[] frame, short version)
        where TResponse : IKafkaMessage<TResponse> =>
        ClientFrames.ReadResponse<TResponse>(frame, version);

    /// <summary>True when the broker has closed the connection (a read returns end of stream).</summary>
    public async Task<bool> IsClosedByBrokerAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[1];
        try
        {
            return await _stream.ReadAsync(buffer, cts.Token) == 0;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await _stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                return false;
            }
            read += n;
        }
        return true;
    }

    public void Dispose()
    {
        _stream.Dispose();
        _client.Dispose();
    }
}
