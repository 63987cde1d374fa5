using System.Buffers.Binary;
using System.Text;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;

namespace Gregor.EndToEnd.Tests.Foundation;

/// <summary>
/// Hostile or broken input on one connection closes that connection (or is answered with
/// Kafka's error), and the broker goes on answering everyone else.
/// </summary>
public sealed class MalformedInputTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static byte[] Int32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    public static TheoryData<string, byte[]> ClosingInputs()
    {
        // An ApiVersions v0 header followed by nothing, as the prefix of hand-made frames.
        static byte[] Header(short apiKey, short version) =>
            [(byte)(apiKey >> 8), (byte)apiKey, (byte)(version >> 8), (byte)version, 0, 0, 0, 7, 0xff, 0xff];

        // Metadata v1 (int32 array count) with a topic count of 2^31-1 in a 20-byte request.
        byte[] hugeArray = [.. Int32(16), .. Header(3, 1), .. Int32(int.MaxValue), 0, 0];
        return new TheoryData<string, byte[]>
        {
            { "length -1", Int32(-1) },
            { "length 0x7FFFFFFF", Int32(int.MaxValue) },
            { "HTTP request", Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n\r\n") },
            { "array count 2^31-1", hugeArray },
            { "unknown API key", [.. Int32(10), .. Header(9999, 0)] },
            { "frame of length 0", Int32(0) },
        };
    }

    [Theory]
    [MemberData(nameof(ClosingInputs))]
    public async Task Bad_frame_closes_only_that_connection(string name, byte[] bytes)
    {
        using (var bad = await RawConnection.ConnectAsync(fixture.Broker.Port))
        {
            await bad.SendRawAsync(bytes);
            Assert.True(await bad.IsClosedByBrokerAsync(Timeout), $"{name}: the broker should close the connection");
        }
        await AssertBrokerAnswersAsync();
        Assert.False(fixture.Broker.HasExited);
    }

    [Fact]
    public async Task Close_is_logged_with_a_reason()
    {
        using (var bad = await RawConnection.ConnectAsync(fixture.Broker.Port))
        {
            await bad.SendRawAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n\r\n"));
            Assert.True(await bad.IsClosedByBrokerAsync(Timeout));
        }
        await fixture.Broker.WaitForOutputAsync("Closing connection .*HTTP", Timeout);
    }

    [Fact]
    public async Task Truncated_frame_then_silence_does_not_disturb_others()
    {
        using var silent = await RawConnection.ConnectAsync(fixture.Broker.Port);
        await silent.SendRawAsync([.. Int32(100), 0, 18, 0, 0]);
        await AssertBrokerAnswersAsync();
        Assert.False(await silent.IsClosedByBrokerAsync(TimeSpan.FromMilliseconds(300)), "a slow client is waited for, not dropped at once");
        await AssertBrokerAnswersAsync();
    }

    [Fact]
    public async Task ApiVersions_of_unknown_version_gets_unsupported_version_in_v0_layout()
    {
        using var connection = await RawConnection.ConnectAsync(fixture.Broker.Port);
        // A v99 request: the header is parsed as v2 would be, but the broker must not rely on it.
        await connection.SendRawAsync(RawConnection.BuildRequest(new ApiVersionsRequest { ClientSoftwareName = "x", ClientSoftwareVersion = "1" }, version: 3, correlationId: 99) is var frame
            ? PatchVersion(frame, 99)
            : throw new InvalidOperationException());
        var response = await connection.ReadFrameAsync(Timeout) ?? throw new IOException("closed");
        var (correlationId, body) = RawConnection.Decode<ApiVersionsResponse>(response, version: 0);
        Assert.Equal(99, correlationId);
        Assert.Equal((short)ErrorCode.UnsupportedVersion, body.ErrorCode);
        var apiVersions = Assert.Single(body.ApiKeys, k => k.ApiKey == (short)ApiKey.ApiVersions);
        Assert.Equal(0, apiVersions.MinVersion);
        Assert.Equal(3, apiVersions.MaxVersion);
        Assert.Contains(body.ApiKeys, k => k.ApiKey == (short)ApiKey.Metadata);
        await AssertBrokerAnswersAsync();
    }

    private static byte[] PatchVersion(byte[] frame, short version)
    {
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(6), version);
        return frame;
    }

    private async Task AssertBrokerAnswersAsync()
    {
        using var connection = await RawConnection.ConnectAsync(fixture.Broker.Port);
        await connection.SendAsync(new ApiVersionsRequest(), version: 0, correlationId: 1);
        var (correlationId, body) = await connection.ReadResponseAsync<ApiVersionsResponse>(0, Timeout);
        Assert.Equal(1, correlationId);
        Assert.Equal(0, body.ErrorCode);
        Assert.NotEmpty(body.ApiKeys);
    }
}
