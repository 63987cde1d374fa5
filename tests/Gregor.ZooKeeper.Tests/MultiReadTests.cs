using System.Text;
using Gregor.ZooKeeper.Tests.Support;

namespace Gregor.ZooKeeper.Tests;

public class MultiReadTests(ZooKeeperServerFixture fixture) : IClassFixture<ZooKeeperServerFixture>
{
    [Fact]
    public async Task Many_nodes_are_read_in_one_request_with_a_result_each_in_order()
    {
        await using var client = await fixture.ConnectFreshAsync();
        await client.CreateAsync("/a", "first"u8.ToArray());
        await client.CreateAsync("/b", Array.Empty<byte>());
        await client.SetDataAsync("/b", "second"u8.ToArray(), 0);

        var results = await client.GetDataManyAsync(["/b", "/missing", "/a"]);

        Assert.Equal([ZkErrorCode.Ok, ZkErrorCode.NoNode, ZkErrorCode.Ok], results.Select(r => r.Error));
        Assert.Equal(("second", 1), (Encoding.UTF8.GetString(results[0].Data!), results[0].Stat!.Version));
        Assert.Null(results[1].Data);
        Assert.Equal(("first", 0), (Encoding.UTF8.GetString(results[2].Data!), results[2].Stat!.Version));
    }
}
