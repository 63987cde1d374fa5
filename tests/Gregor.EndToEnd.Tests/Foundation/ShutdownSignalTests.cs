using Gregor.EndToEnd.Tests.ProduceConsume.Acceptance;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Foundation;

/// <summary>
/// SIGHUP (the terminal the broker was started from going away) stops the broker cleanly, as
/// SIGTERM and SIGINT do: exit 0, the clean-shutdown marker written, and no recovery on the next
/// start.
/// </summary>
public sealed class ShutdownSignalTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("HUP")]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task The_broker_shuts_down_cleanly_on(string signal)
    {
        await using var first = await BrokerProcess.StartAsync();
        await Raw.CreateTopicAsync(first.Port, "signal", partitions: 2);
        Assert.Equal(0, await first.StopAsync(Timeout, signal));
        Assert.Contains(first.Output, line => line.Contains("stopped", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(first.LogDir, ".kafka_cleanshutdown")));

        await using var second = await BrokerProcess.StartAsync(logDir: first.LogDir);
        Assert.DoesNotContain(second.Output, line => line.Contains("recovering", StringComparison.OrdinalIgnoreCase) || line.Contains("not shut down cleanly", StringComparison.Ordinal));
    }

    /// <summary>
    /// A clean stop is never cut short, however long closing the logs takes (the command-line
    /// library's own termination handling used to end the process with 143 two seconds after
    /// SIGTERM). The broker is frozen with SIGSTOP for three seconds while it closes its logs,
    /// which makes any such deadline pass; a broker without one simply finishes afterwards.
    /// </summary>
    [Fact]
    public async Task A_stop_that_takes_longer_than_two_seconds_still_ends_cleanly()
    {
        await using var broker = await BrokerProcess.StartAsync();
        await Raw.CreateTopicAsync(broker.Port, "slow-stop", partitions: 500);

        broker.Signal("TERM");
        await broker.WaitForOutputAsync("Shutting down", Timeout);
        broker.Signal("STOP");
        await Task.Delay(TimeSpan.FromSeconds(3));
        broker.Signal("CONT");

        Assert.Equal(0, await broker.StopAsync(Timeout));
        Assert.Contains(broker.Output, line => line.Contains("stopped", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(broker.LogDir, ".kafka_cleanshutdown")));
    }
}
