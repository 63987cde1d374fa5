using System.Buffers.Binary;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Foundation;

/// <summary>
/// A port belongs to one broker: a second broker on a busy port stops at start-up with exit 1
/// naming the listener (as Kafka does), while a broker restarted right after it stopped binds its
/// port again although connections it closed are still in TIME_WAIT.
/// </summary>
public sealed class ListenerPortTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_second_broker_on_a_busy_port_exits_1_naming_the_listener()
    {
        await using var first = await BrokerProcess.StartAsync();
        var logDir = Directory.CreateTempSubdirectory("gregor-e2e-").FullName;
        try
        {
            var listener = $"PLAINTEXT://127.0.0.1:{first.Port}";
            var (exitCode, output) = await BrokerProcess.RunToExitAsync(
                ["server", Path.Combine(RepositoryPaths.Root, "config", "server.properties"), "--override", $"listeners={listener}", "--override", $"log.dirs={logDir}"],
                Timeout);
            Assert.Equal(1, exitCode);
            Assert.Contains(output.Split('\n'), line => line.Contains(listener, StringComparison.Ordinal) && line.Contains("in use", StringComparison.OrdinalIgnoreCase));
            // It stopped after loading its log dir: that dir is left cleanly shut down.
            Assert.True(File.Exists(Path.Combine(logDir, ".kafka_cleanshutdown")), output);
        }
        finally
        {
            Directory.Delete(logDir, recursive: true);
        }
        using var connection = await RawConnection.ConnectAsync(first.Port);
        await connection.SendAsync(new Gregor.Protocol.Messages.ApiVersionsRequest(), 0, 1);
        Assert.NotNull(await connection.ReadFrameAsync(Timeout));
    }

    [Fact]
    public async Task A_broker_restarted_at_once_binds_its_port_again()
    {
        await using var first = await BrokerProcess.StartAsync();
        var port = first.Port;
        // Connections the broker closes itself leave its side in TIME_WAIT on that port.
        var badFrame = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(badFrame, -1);
        for (var i = 0; i < 20; i++)
        {
            using var connection = await RawConnection.ConnectAsync(port);
            await connection.SendRawAsync(badFrame);
            Assert.True(await connection.IsClosedByBrokerAsync(Timeout));
        }
        Assert.Equal(0, await first.StopAsync(Timeout));

        await using var second = await BrokerProcess.StartAsync([$"listeners=PLAINTEXT://127.0.0.1:{port}"], logDir: first.LogDir);
        Assert.Equal(port, second.Port);
    }
}
