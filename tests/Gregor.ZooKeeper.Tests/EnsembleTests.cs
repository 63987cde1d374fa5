using Gregor.ZooKeeper.Tests.Support;

namespace Gregor.ZooKeeper.Tests;

public class EnsembleTests
{
    [Fact]
    public async Task Killing_the_leader_during_a_stream_of_creates_loses_no_operation_and_keeps_the_session()
    {
        await using var ensemble = await ZooKeeperEnsemble.StartAsync();
        await using var client = await Clients.ConnectAsync(ensemble.ConnectString + "/stream", sessionTimeoutMs: 30_000);
        var states = new EventLog();
        states.Attach(client);
        var sessionId = client.SessionId;
        await client.CreateAsync("/eph", Array.Empty<byte>(), CreateMode.Ephemeral);
        const int count = 300;
        var third = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var stream = Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                try
                {
                    await client.CreateAsync($"/n{i:D4}", BitConverter.GetBytes(i));
                }
                catch (ZooKeeperException e) when (e.Code == ZkErrorCode.NodeExists)
                {
                    // Retried after a connection loss although the first attempt was applied.
                }
                if (i == count / 3)
                {
                    third.SetResult();
                }
            }
        });
        await third.Task.Within();
        await ensemble.KillAsync(await ensemble.FindLeaderAsync());
        await stream.WaitAsync(TimeSpan.FromMinutes(2));

        await states.WaitForAsync(ZooKeeperState.Disconnected);
        Assert.Equal(sessionId, client.SessionId);
        var (children, _) = await client.GetChildrenAsync("/");
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"n{i:D4}").Append("eph").Order(), children.Order());
        Assert.Equal(sessionId, (await client.ExistsAsync("/eph"))!.EphemeralOwner);
        await using var other = await Clients.ConnectAsync(ensemble.ConnectString + "/stream");
        Assert.Equal(sessionId, (await other.ExistsAsync("/eph"))!.EphemeralOwner);
    }
}
