using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;

namespace Gregor.EndToEnd.Tests.Foundation;

/// <summary>max.connections and connections.max.idle.ms bound what clients can hold open.</summary>
public sealed class ConnectionLimitTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static async Task<bool> AnswersAsync(RawConnection connection, int correlationId)
    {
        await connection.SendAsync(new ApiVersionsRequest(), 0, correlationId);
        var frame = await connection.ReadFrameAsync(Timeout);
        return frame is not null;
    }

    [Fact]
    public async Task Connections_beyond_max_connections_are_closed()
    {
        await using var broker = await BrokerProcess.StartAsync(["max.connections=2"]);
        using var first = await RawConnection.ConnectAsync(broker.Port);
        using var second = await RawConnection.ConnectAsync(broker.Port);
        Assert.True(await AnswersAsync(first, 1));
        Assert.True(await AnswersAsync(second, 2));
        using (var third = await RawConnection.ConnectAsync(broker.Port))
        {
            Assert.True(await third.IsClosedByBrokerAsync(Timeout));
        }
        await broker.WaitForOutputAsync("max\\.connections=2 reached", Timeout);
        first.Dispose();
        // Once a slot is free again, a new connection is served.
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            using var retry = await RawConnection.ConnectAsync(broker.Port);
            try
            {
                if (await AnswersAsync(retry, 3))
                {
                    break;
                }
            }
            catch (IOException)
            {
            }
            Assert.True(DateTime.UtcNow < deadline, "no connection was accepted after one closed");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Idle_connections_are_closed_after_connections_max_idle_ms()
    {
        await using var broker = await BrokerProcess.StartAsync(["connections.max.idle.ms=500"]);
        using var idle = await RawConnection.ConnectAsync(broker.Port);
        Assert.True(await AnswersAsync(idle, 1));
        Assert.True(await idle.IsClosedByBrokerAsync(TimeSpan.FromSeconds(5)));
        await broker.WaitForOutputAsync("idle for more than connections\\.max\\.idle\\.ms=500", Timeout);
    }
}
