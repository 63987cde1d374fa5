using System.Globalization;
using System.Text;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Tools;

/// <summary>`gregor zookeeper-shell` against a real ZooKeeper: the output of ZooKeeper's own shell, byte for byte.</summary>
public sealed class ZooKeeperShellToolTests(ZooKeeperToolFixture fixture) : IClassFixture<ZooKeeperToolFixture>
{
    // ZooKeeper's own shell (ZooKeeperMain) from the installed server, the reference for the output format.
    private const string ZooKeeperClassPath = "/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar";

    private const string Data = "{\"version\":1,\"config\":{\"a\":\"1\"}}";

    [Fact]
    public async Task Ls_get_and_stat_print_what_zookeepers_own_shell_prints()
    {
        var connect = fixture.FreshConnectString();
        await using (var zk = await ZooKeeperToolFixture.ConnectAsync(connect))
        {
            await zk.CreateAsync("/node", Encoding.UTF8.GetBytes("{\"version\":1,\"config\":{}}"));
            await zk.CreateAsync("/node/b", ReadOnlyMemory<byte>.Empty);
            await zk.CreateAsync("/node/a", ReadOnlyMemory<byte>.Empty);
            await zk.CreateAsync("/node/c", ReadOnlyMemory<byte>.Empty);
            await zk.SetDataAsync("/node", Encoding.UTF8.GetBytes(Data));
        }

        var ls = await ZooKeeperTool.SucceedAsync("zookeeper-shell", [connect, "ls", "/node"]);
        Assert.Equal("[a, b, c]\n", ls.StandardOutput);
        var get = await ZooKeeperTool.SucceedAsync("zookeeper-shell", [connect, "get", "/node"]);
        Assert.Equal(Data + "\n", get.StandardOutput);
        var stat = await ZooKeeperTool.SucceedAsync("zookeeper-shell", [connect, "stat", "/node"]);
        var lines = GregorTool.Lines(stat.StandardOutput);
        Assert.Equal(["cZxid", "ctime", "mZxid", "mtime", "pZxid", "cversion", "dataVersion", "aclVersion", "ephemeralOwner", "dataLength", "numChildren"],
            lines.Select(l => l.Split(" = ")[0]));
        Assert.Matches("^cZxid = 0x[0-9a-f]+$", lines[0]);
        Assert.Matches("^ctime = (Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC [0-9]{4}$", lines[1]);
        var ctime = DateTime.ParseExact(lines[1]["ctime = ".Length..], "ddd MMM dd HH:mm:ss 'UTC' yyyy", CultureInfo.InvariantCulture);
        Assert.InRange(ctime, DateTime.UtcNow.AddHours(-1), DateTime.UtcNow.AddMinutes(1));
        Assert.Equal(["cversion = 3", "dataVersion = 1", "aclVersion = 0", "ephemeralOwner = 0x0", $"dataLength = {Data.Length}", "numChildren = 3"], lines[5..]);

        // The same commands through ZooKeeper's shell (in UTC, as ours prints): its last lines are the answer.
        Assert.Equal("[a, b, c]", (await ZooKeeperMainAsync(connect, "ls", "/node"))[^1]);
        Assert.Equal(lines, (await ZooKeeperMainAsync(connect, "stat", "/node"))[^11..]);
    }

    [Fact]
    public async Task Create_and_delete_change_the_tree_and_a_missing_node_is_zookeepers_message_with_exit_1()
    {
        var connect = fixture.FreshConnectString();
        var created = await ZooKeeperTool.SucceedAsync("zookeeper-shell", [connect, "create", "/made", "hello"]);
        Assert.Equal("Created /made\n", created.StandardOutput);
        await using (var zk = await ZooKeeperToolFixture.ConnectAsync(connect))
        {
            Assert.Equal("hello", Encoding.UTF8.GetString((await zk.GetDataAsync("/made")).Data));
        }
        var again = await ZooKeeperTool.RunAsync("zookeeper-shell", [connect, "create", "/made"]);
        Assert.Equal(1, again.ExitCode);
        Assert.Equal("Node already exists: /made", again.StandardError.Trim());

        await ZooKeeperTool.SucceedAsync("zookeeper-shell", [connect, "delete", "/made"]);
        foreach (var command in new[] { "get", "ls", "stat", "delete" })
        {
            var missing = await ZooKeeperTool.RunAsync("zookeeper-shell", [connect, command, "/made"]);
            Assert.True(missing.ExitCode == 1, $"{command}: {missing}");
            Assert.Equal("Node does not exist: /made", missing.StandardError.Trim());
            Assert.Equal("", missing.StandardOutput);
        }
    }

    [Fact]
    public async Task Commands_are_read_from_stdin_when_none_is_given()
    {
        var connect = fixture.FreshConnectString();
        var result = await ZooKeeperTool.SucceedAsync("zookeeper-shell", [connect], "create /x 1\ncreate /x/y\nls /x\nget /x\n");
        Assert.Equal("Created /x\nCreated /x/y\n[y]\n1\n", result.StandardOutput);
    }

    [Fact]
    public async Task An_unreachable_server_is_one_line_naming_it()
    {
        var result = await ZooKeeperTool.RunAsync("zookeeper-shell", ["127.0.0.1:1", "ls", "/"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.StandardOutput);
        var line = Assert.Single(GregorTool.Lines(result.StandardError));
        Assert.StartsWith("gregor zookeeper-shell: error: cannot reach ZooKeeper at 127.0.0.1:1: ", line);
    }

    private static async Task<string[]> ZooKeeperMainAsync(string connect, params string[] command)
    {
        var result = await ExternalProcess.RunAsync("java",
            ["-cp", ZooKeeperClassPath, "-Dorg.slf4j.simpleLogger.defaultLogLevel=error", "org.apache.zookeeper.ZooKeeperMain", "-server", connect, .. command],
            GregorTool.Timeout, environment: new Dictionary<string, string> { ["TZ"] = "UTC" });
        Assert.True(result.ExitCode == 0, result.ToString());
        return GregorTool.Lines(result.StandardOutput);
    }
}
