using System.Collections.Concurrent;
using Gregor.Broker.InterBroker;
using Gregor.EndToEnd.Tests.Groups.Members;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using static Gregor.EndToEnd.Tests.InterBroker.InterBrokerKit;

namespace Gregor.EndToEnd.Tests.InterBroker;

/// <summary>The controller's channels to brokers, against real broker processes.</summary>
public sealed class ControllerChannelManagerTests
{
    private static readonly MetadataRequest AllTopics = new() { Topics = [] };

    private readonly CapturingLogger _log = new();

    [Fact]
    public async Task Requests_to_one_broker_are_answered_in_the_order_queued()
    {
        await using var broker = await BrokerProcess.StartAsync();
        await using var channels = new ControllerChannelManager(new ControllerChannelOptions { ControllerId = 1 }, _log);
        channels.AddBroker(2, "127.0.0.1", broker.Port);
        var answered = new ConcurrentQueue<(int Index, bool Succeeded)>();

        for (var i = 0; i < 100; i++)
        {
            var index = i;
            Assert.True(i % 2 == 0
                ? channels.Enqueue<MetadataRequest, MetadataResponse>(2, AllTopics, (short)(index % 13), r => answered.Enqueue((index, r.Succeeded && r.Response!.Brokers.Count == 1)))
                : channels.Enqueue<ApiVersionsRequest, ApiVersionsResponse>(2, new ApiVersionsRequest(), 2, r => answered.Enqueue((index, r.Succeeded && r.Response!.ErrorCode == 0))));
        }

        await Eventually.WaitAsync(() => answered.Count == 100, Patience, () => $"{answered.Count} of 100 answered");
        Assert.Equal(Enumerable.Range(0, 100), answered.Select(a => a.Index));
        Assert.All(answered, a => Assert.True(a.Succeeded, $"request {a.Index}"));
    }

    [Fact]
    public async Task A_request_queued_while_its_broker_is_down_is_delivered_after_a_restart_on_the_same_port()
    {
        var port = FreePort();
        string[] listeners = [$"listeners=PLAINTEXT://127.0.0.1:{port}"];
        var time = new FakeTimeProvider();
        // The fake clock runs far ahead of the real one while the test polls: a socket timeout of a
        // day keeps a slow answer from the restarted broker from counting as a second outage.
        var options = new ControllerChannelOptions { ControllerId = 1, RetryBackoff = TimeSpan.FromMilliseconds(100), SocketTimeout = TimeSpan.FromDays(1), Time = time };
        await using var channels = new ControllerChannelManager(options, _log);
        var broker = await BrokerProcess.StartAsync(listeners);
        var logDir = broker.LogDir;
        try
        {
            channels.AddBroker(2, "127.0.0.1", port);
            var first = new TaskCompletionSource<ControllerResponse<ApiVersionsResponse>>(TaskCreationOptions.RunContinuationsAsynchronously);
            channels.Enqueue<ApiVersionsRequest, ApiVersionsResponse>(2, new ApiVersionsRequest(), 3, r => first.SetResult(r));
            Assert.True((await first.Task.WaitAsync(Patience)).Succeeded);

            Assert.Equal(0, await broker.StopAsync(Patience));
            var queued = new TaskCompletionSource<ControllerResponse<MetadataResponse>>(TaskCreationOptions.RunContinuationsAsynchronously);
            channels.Enqueue<MetadataRequest, MetadataResponse>(2, AllTopics, 12, r => queued.SetResult(r));

            // Several attempts fail while the broker is down, each after a backoff on the fake clock.
            await Eventually.WaitAsync(() =>
            {
                time.Advance(options.RetryBackoff);
                return _log.At(LogLevel.Debug).Count(l => l.Contains("attempt")) >= 3;
            }, Patience, () => string.Join('\n', _log.Lines));

            broker = await BrokerProcess.StartAsync(listeners, logDir);
            await Eventually.WaitAsync(() =>
            {
                time.Advance(options.RetryBackoff);
                return queued.Task.IsCompleted;
            }, Patience, () => string.Join('\n', _log.Lines));

            var response = await queued.Task;
            Assert.True(response.Succeeded, response.Failure?.Message);
            Assert.Equal(port, Assert.Single(response.Response!.Brokers).Port);
            // One warning for the outage, however many attempts it took, and one line when it ended.
            Assert.Single(_log.At(LogLevel.Warning));
            Assert.Single(_log.At(LogLevel.Information), l => l.Contains("again after"));
        }
        finally
        {
            await broker.DisposeAsync();
            Directory.Delete(logDir, recursive: true);
        }
    }

    [Fact]
    public async Task A_removed_broker_fails_its_queued_requests()
    {
        using var refusing = RefusingPort(out var port);
        var channels = new ControllerChannelManager(new ControllerChannelOptions { ControllerId = 1 }, _log);
        channels.AddBroker(3, "127.0.0.1", port);
        var failures = new ConcurrentQueue<BrokerConnectionException?>();
        for (var i = 0; i < 3; i++)
        {
            channels.Enqueue<MetadataRequest, MetadataResponse>(3, AllTopics, 12, r => failures.Enqueue(r.Failure));
        }

        await channels.RemoveBrokerAsync(3);

        Assert.Equal(3, failures.Count);
        Assert.All(failures, f => Assert.Contains("broker 3", f?.Message));
        Assert.Empty(channels.BrokerIds);
        BrokerConnectionException? late = null;
        Assert.False(channels.Enqueue<MetadataRequest, MetadataResponse>(3, AllTopics, 12, r => late = r.Failure));
        Assert.NotNull(late);
        await channels.DisposeAsync();
    }

    [Fact]
    public async Task An_unreachable_broker_does_not_hold_up_the_others()
    {
        using var refusing = RefusingPort(out var port);
        await using var broker = await BrokerProcess.StartAsync();
        var channels = new ControllerChannelManager(new ControllerChannelOptions { ControllerId = 1 }, _log);
        channels.AddBroker(1, "127.0.0.1", port);
        channels.AddBroker(2, "127.0.0.1", broker.Port);
        var unreachable = new TaskCompletionSource<ControllerResponse<MetadataResponse>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reachable = new ConcurrentQueue<bool>();

        channels.Enqueue<MetadataRequest, MetadataResponse>(1, AllTopics, 12, r => unreachable.SetResult(r));
        for (var i = 0; i < 10; i++)
        {
            channels.Enqueue<MetadataRequest, MetadataResponse>(2, AllTopics, 12, r => reachable.Enqueue(r.Succeeded));
        }

        await Eventually.WaitAsync(() => reachable.Count == 10, Patience, () => $"{reachable.Count} of 10 answered");
        Assert.All(reachable, Assert.True);
        await channels.DisposeAsync();
        Assert.False((await unreachable.Task.WaitAsync(Patience)).Succeeded);
    }
}
