using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Gregor.Broker.InterBroker;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Tests.InterBroker;

/// <summary>
/// Answers a real broker never gives, from a loopback peer that reads one request frame and
/// writes back whatever the test says: the connection must fail the request, never hang or misread.
/// </summary>
public sealed class BrokerConnectionFramingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_response_with_another_correlation_id_fails_the_connection()
    {
        var failure = await SendAgainstPeerAsync(correlationId => Frame(correlationId + 1, [0, 0]));

        Assert.Contains("answered correlation id 1 where ApiVersions v0 (correlation id 0) was next", failure.Message);
    }

    [Fact]
    public async Task A_negative_frame_length_fails_the_connection()
    {
        var failure = await SendAgainstPeerAsync(_ => [0xFF, 0xFF, 0xFF, 0xFF]);

        Assert.Contains("response frame of -1 bytes", failure.Message);
    }

    [Fact]
    public async Task A_close_before_the_answer_fails_the_request()
    {
        var failure = await SendAgainstPeerAsync(_ => []);

        Assert.Contains("closed the connection", failure.Message);
    }

    private static byte[] Frame(int correlationId, byte[] body)
    {
        var frame = new byte[8 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, 4 + body.Length);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(4), correlationId);
        body.CopyTo(frame, 8);
        return frame;
    }

    /// <summary>Sends ApiVersions v0 to a peer that answers with <paramref name="answer"/>(the request's correlation id), then closes.</summary>
    private static async Task<BrokerConnectionException> SendAgainstPeerAsync(Func<int, byte[]> answer)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var peer = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            await using var stream = new NetworkStream(socket);
            var size = new byte[4];
            await stream.ReadExactlyAsync(size);
            var request = new byte[BinaryPrimitives.ReadInt32BigEndian(size)];
            await stream.ReadExactlyAsync(request);
            await stream.WriteAsync(answer(BinaryPrimitives.ReadInt32BigEndian(request.AsSpan(4))));
        });
        await using var connection = await BrokerConnection.ConnectAsync("127.0.0.1", port, new BrokerConnectionOptions { ClientId = "broker-1" });

        var failure = await Assert.ThrowsAsync<BrokerConnectionException>(() =>
            connection.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest(), 0).WaitAsync(Patience));

        await peer.WaitAsync(Patience);
        Assert.False(connection.IsOpen);
        return failure;
    }
}
