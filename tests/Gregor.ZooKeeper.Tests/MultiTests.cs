using System.Text;
using Gregor.ZooKeeper.Tests.Support;

namespace Gregor.ZooKeeper.Tests;

public class MultiTests(ZooKeeperServerFixture fixture) : IClassFixture<ZooKeeperServerFixture>
{
    [Fact]
    public async Task A_successful_multi_applies_every_op_and_returns_their_results()
    {
        await using var client = await fixture.ConnectFreshAsync();
        await client.CreateAsync("/old", Array.Empty<byte>());
        await client.CreateAsync("/data", "a"u8.ToArray());

        var results = await client.MultiAsync(
        [
            ZkOp.Check("/data", 0),
            ZkOp.Create("/new-", "n"u8.ToArray(), CreateMode.PersistentSequential),
            ZkOp.SetData("/data", "b"u8.ToArray(), 0),
            ZkOp.Delete("/old"),
        ]);

        Assert.All(results, r => Assert.Equal(ZkErrorCode.Ok, r.Error));
        Assert.Equal("/new-0000000002", results[1].CreatedPath);
        Assert.Equal(1, results[2].Stat!.Version);
        Assert.Equal("b", Encoding.UTF8.GetString((await client.GetDataAsync("/data")).Data));
        Assert.Null(await client.ExistsAsync("/old"));
    }

    [Fact]
    public async Task A_multi_with_a_failing_check_changes_nothing_and_gives_per_op_errors()
    {
        await using var client = await fixture.ConnectFreshAsync();
        await client.CreateAsync("/data", "a"u8.ToArray());
        await client.CreateAsync("/fence", Array.Empty<byte>());

        var results = await client.MultiAsync(
        [
            ZkOp.Create("/created", Array.Empty<byte>()),
            ZkOp.SetData("/data", "b"u8.ToArray()),
            ZkOp.Check("/fence", 5),
            ZkOp.Delete("/data"),
        ]);

        Assert.Equal(
            [ZkErrorCode.Ok, ZkErrorCode.Ok, ZkErrorCode.BadVersion, ZkErrorCode.RuntimeInconsistency],
            results.Select(r => r.Error));
        Assert.Null(await client.ExistsAsync("/created"));
        var (data, stat) = await client.GetDataAsync("/data");
        Assert.Equal(("a", 0), (Encoding.UTF8.GetString(data), stat.Version));
    }

    [Fact]
    public async Task A_multi_failing_on_a_missing_node_names_its_error()
    {
        await using var client = await fixture.ConnectFreshAsync();

        var results = await client.MultiAsync([ZkOp.Check("/missing", 0)]);

        Assert.Equal(ZkErrorCode.NoNode, Assert.Single(results).Error);
    }
}
