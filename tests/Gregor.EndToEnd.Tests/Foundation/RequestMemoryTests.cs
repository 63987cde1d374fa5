using System.Buffers.Binary;
using System.Net.Sockets;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;
using Xunit.Abstractions;

namespace Gregor.EndToEnd.Tests.Foundation;

/// <summary>
/// The memory large request frames take is bounded and given back: frames cut short by a close
/// leave nothing behind once their connections are gone, and queued.max.request.bytes bounds
/// what concurrent large frames hold at once. Measured as the broker process's resident set
/// (VmRSS, and its peak VmHWM, from /proc/PID/status), with generous slack for everything else.
/// </summary>
public sealed class RequestMemoryTests(ITestOutputHelper output)
{
    private const long MiB = 1024 * 1024;
    private const long Slack = 64 * MiB;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>The resident set once the broker has answered a request (start-up behind it).</summary>
    private static async Task<long> SettledRssAsync(BrokerProcess broker)
    {
        using var connection = await RawConnection.ConnectAsync(broker.Port);
        await connection.SendAsync(new ApiVersionsRequest(), 0, 1);
        Assert.NotNull(await connection.ReadFrameAsync(Timeout));
        return broker.ReadProcStatusBytes("VmRSS");
    }

    /// <summary>
    /// Opens <paramref name="connections"/> connections at once; each announces a frame of
    /// <paramref name="frameSize"/> bytes, sends <paramref name="sent"/> of them, and closes.
    /// </summary>
    private static async Task SendFramesCutShortAsync(int port, int connections, int frameSize, int sent)
    {
        var payload = new byte[sent];
        BinaryPrimitives.WriteInt32BigEndian(payload, frameSize);
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync("127.0.0.1", port);
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            for (var at = 0; at < sent; at += (int)MiB)
            {
                await socket.SendAsync(payload.AsMemory(at, Math.Min((int)MiB, sent - at)), SocketFlags.None, cts.Token);
            }
        }));
    }

    [Fact]
    public async Task Memory_of_large_frames_cut_short_is_given_back_when_their_connections_close()
    {
        await using var broker = await BrokerProcess.StartAsync();
        var before = await SettledRssAsync(broker);
        const int frameSize = (int)(80 * MiB);
        await SendFramesCutShortAsync(broker.Port, connections: 8, frameSize, sent: frameSize - (int)MiB);
        await broker.WaitForOutputAsync("connection closed in the middle of a frame", Timeout);

        var deadline = DateTime.UtcNow + Timeout;
        long rss;
        while ((rss = broker.ReadProcStatusBytes("VmRSS")) > before + Slack)
        {
            Assert.True(DateTime.UtcNow < deadline,
                $"resident set still {rss / MiB} MiB, {(rss - before) / MiB} MiB above the {before / MiB} MiB before 8 frames of 80 MiB were cut short");
            await Task.Delay(500);
        }
        output.WriteLine($"VmRSS {before / MiB} MiB before, {rss / MiB} MiB after; peak VmHWM {broker.ReadProcStatusBytes("VmHWM") / MiB} MiB");
        Assert.False(broker.HasExited);
    }

    [Fact]
    public async Task Queued_max_request_bytes_bounds_the_memory_concurrent_large_frames_hold()
    {
        const int frameSize = (int)(40 * MiB);
        const long bound = 2 * frameSize;
        await using var broker = await BrokerProcess.StartAsync([$"socket.request.max.bytes={frameSize}", $"queued.max.request.bytes={bound}"]);
        var before = await SettledRssAsync(broker);
        // Eight frames of 40 MiB at once would hold 320 MiB; the bound lets two be read at a time,
        // the others wait (their clients held back by TCP) until a slot's memory is given back.
        await SendFramesCutShortAsync(broker.Port, connections: 8, frameSize, sent: frameSize - (int)MiB);
        var deadline = DateTime.UtcNow + Timeout;
        while (broker.Output.Count(line => line.Contains("connection closed in the middle of a frame", StringComparison.Ordinal)) < 8)
        {
            Assert.True(DateTime.UtcNow < deadline, "not every cut-short frame was noticed:\n" + string.Join('\n', broker.Output));
            await Task.Delay(200);
        }
        var peak = broker.ReadProcStatusBytes("VmHWM");
        output.WriteLine($"VmRSS {before / MiB} MiB before; peak VmHWM {peak / MiB} MiB; VmRSS {broker.ReadProcStatusBytes("VmRSS") / MiB} MiB after");
        Assert.True(peak <= before + bound + Slack,
            $"peak resident set {peak / MiB} MiB passed {before / MiB} MiB + queued.max.request.bytes {bound / MiB} MiB + {Slack / MiB} MiB");
    }
}
