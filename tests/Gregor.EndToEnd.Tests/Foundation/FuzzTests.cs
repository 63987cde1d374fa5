using System.Diagnostics;
using System.Globalization;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;
using Gregor.Protocol.Records;
using Xunit.Abstractions;

namespace Gregor.EndToEnd.Tests.Foundation;

/// <summary>
/// A bounded fuzzing run against a real broker: mutated requests for every API key and version
/// (<see cref="RequestFuzzer"/>) from a few concurrent clients, most connections ended by the
/// client after a request or two. Afterwards the broker has logged no failure of its own (no
/// handler or writer exception, no stack trace), a fresh client still produces and fetches, its
/// sockets are back to what they were before the run, and its RSS is within 64 MB of where it
/// was after a warm-up (a valid request of every API and version, then a few seconds of fuzzing). The run lasts GREGOR_FUZZ_SECONDS
/// (default 20) seconds; a longer run is the same test with a larger value.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static int RunSeconds =>
        int.TryParse(Environment.GetEnvironmentVariable("GREGOR_FUZZ_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : 20;

    private static int SocketCount(int pid) =>
        new DirectoryInfo($"/proc/{pid}/fd").EnumerateFileSystemInfos().Count(f => f.LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true);

    private static IEnumerable<string> Failures(BrokerProcess broker) =>
        broker.Output.Where(l => l.Contains("Handler for", StringComparison.Ordinal) || l.Contains("Could not write", StringComparison.Ordinal)
            || l.Contains("Exception", StringComparison.Ordinal) || l.TrimStart().StartsWith("at ", StringComparison.Ordinal)
            || l.Contains("Unhandled", StringComparison.Ordinal) || l.Contains("fail:", StringComparison.Ordinal) || l.Contains("crit:", StringComparison.Ordinal));

    [Fact]
    public async Task Mutated_requests_for_every_api_leave_the_broker_healthy()
    {
        await using var broker = await BrokerProcess.StartAsync(["auto.create.topics.enable=false", "group.initial.rebalance.delay.ms=0"]);
        await SetUpTopicAsync(broker);
        var warmUp = Stopwatch.StartNew();
        await WarmUpAsync(broker);
        // A short fuzzing round before the baseline: what the JIT, the pools and the GC's heap
        // sizing take once is part of where the broker "starts"; what grows after is not.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() => WorkAsync(broker.Port, seed: 100 + i, TimeSpan.FromSeconds(5), new Stats()))));
        output.WriteLine($"warm-up took {warmUp.Elapsed.TotalSeconds:F0} s");
        var socketsBefore = SocketCount(broker.ProcessId);
        var rssBefore = broker.ReadProcStatusBytes("VmRSS");

        var stats = new Stats();
        var deadline = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, 4).Select(i => Task.Run(() => WorkAsync(broker.Port, seed: 1000 + i, TimeSpan.FromSeconds(RunSeconds), stats))).ToList();
        await Task.WhenAll(workers);
        deadline.Stop();
        Assert.False(broker.HasExited, "the broker died during the run");

        // A fresh client still works.
        var (produced, fetched) = await ProduceAndFetchAsync(broker.Port);
        Assert.Equal(0, produced);
        Assert.True(fetched > 0, "a fresh client fetched nothing back");

        var socketsAfter = await WaitForAsync(() => SocketCount(broker.ProcessId), n => n <= socketsBefore);
        var rssAfter = await WaitForAsync(() => broker.ReadProcStatusBytes("VmRSS"), rss => rss <= rssBefore + (64L << 20));
        var summary = $"{stats.Sent} requests in {deadline.Elapsed.TotalSeconds:F0} s over {stats.Connections} connections: {stats.Answered} answered, "
            + $"{stats.Closed} closed by the broker, {stats.TimedOut} unanswered within 5 s; sockets {socketsBefore} -> {socketsAfter}; "
            + $"RSS {rssBefore >> 20} MB -> {rssAfter >> 20} MB (peak {broker.ReadProcStatusBytes("VmHWM") >> 20} MB)";
        output.WriteLine(summary);
        Assert.Empty(Failures(broker));
        Assert.True(socketsAfter <= socketsBefore, summary);
        Assert.True(rssAfter <= rssBefore + (64L << 20), summary);
        Assert.True(stats.Answered > 0 && stats.Closed > 0, summary);
    }

    private sealed class Stats
    {
        public long Sent;
        public long Answered;
        public long Closed;
        public long TimedOut;
        public long Connections;
    }

    private static async Task WorkAsync(int port, int seed, TimeSpan duration, Stats stats)
    {
        var fuzzer = new RequestFuzzer(seed);
        var random = new Random(seed);
        var watch = Stopwatch.StartNew();
        RawConnection? connection = null;
        var correlationId = 0;
        try
        {
            while (watch.Elapsed < duration)
            {
                if (connection is null)
                {
                    connection = await RawConnection.ConnectAsync(port);
                    Interlocked.Increment(ref stats.Connections);
                }
                var frame = fuzzer.Next(++correlationId, out _);
                Interlocked.Increment(ref stats.Sent);
                byte[]? response;
                try
                {
                    await connection.SendRawAsync(frame);
                    response = await connection.ReadFrameAsync(TimeSpan.FromSeconds(5));
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref stats.TimedOut);
                    response = null;
                }
                catch (IOException)
                {
                    response = null;
                }
                if (response is null)
                {
                    Interlocked.Increment(ref stats.Closed);
                }
                else
                {
                    Interlocked.Increment(ref stats.Answered);
                }
                // Most connections end after a request or two, ended by the client.
                if (response is null || random.Next(3) != 0)
                {
                    connection.Dispose();
                    connection = null;
                }
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }

    private static async Task<T> WaitForAsync<T>(Func<T> read, Func<T, bool> done)
    {
        var watch = Stopwatch.StartNew();
        var value = read();
        while (!done(value) && watch.Elapsed < Timeout)
        {
            await Task.Delay(500);
            value = read();
        }
        return value;
    }

    private static async Task SetUpTopicAsync(BrokerProcess broker)
    {
        using var connection = await RawConnection.ConnectAsync(broker.Port);
        var request = new CreateTopicsRequest
        {
            Topics = [.. RequestFuzzer.Topics.Select(t => new CreateTopicsRequest.CreatableTopic { Name = t, NumPartitions = 2, ReplicationFactor = 1 })],
        };
        await connection.SendAsync(request, 7, 1);
        var (_, created) = await connection.ReadResponseAsync<CreateTopicsResponse>(7, Timeout);
        Assert.All(created.Topics, t => Assert.Equal(0, t.ErrorCode));
        Assert.Equal(0, (await ProduceAndFetchAsync(broker.Port)).ProduceError);
    }

    /// <summary>One valid request of every API and version, so the RSS baseline includes what serving each costs once.</summary>
    private static Task WarmUpAsync(BrokerProcess broker) =>
        Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(() => WarmUpAsync(broker, RequestFuzzer.AllVersions.Where((_, i) => i % 4 == worker)))));

    private static async Task WarmUpAsync(BrokerProcess broker, IEnumerable<(ApiMessageInfo Api, short Version)> apis)
    {
        var fuzzer = new RequestFuzzer(seed: 1);
        RawConnection? connection = null;
        var correlationId = 0;
        foreach (var (api, version) in apis)
        {
            connection ??= await RawConnection.ConnectAsync(broker.Port);
            try
            {
                await connection.SendRawAsync(fuzzer.Valid(api, version, ++correlationId));
                if (await connection.ReadFrameAsync(TimeSpan.FromSeconds(2)) is null)
                {
                    connection.Dispose();
                    connection = null;
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                connection?.Dispose();
                connection = null;
            }
        }
        connection?.Dispose();
    }

    private static async Task<(short ProduceError, int Fetched)> ProduceAndFetchAsync(int port)
    {
        using var connection = await RawConnection.ConnectAsync(port);
        var builder = new RecordBatchBuilder();
        builder.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, "after the fuzzing"u8.ToArray());
        var topic = $"fresh-{Guid.NewGuid():N}";
        await connection.SendAsync(new CreateTopicsRequest { Topics = [new CreateTopicsRequest.CreatableTopic { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }] }, 7, 1);
        var (_, created) = await connection.ReadResponseAsync<CreateTopicsResponse>(7, Timeout);
        Assert.Equal(0, created.Topics[0].ErrorCode);
        var produce = new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 5000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = builder.Build() }] }],
        };
        await connection.SendAsync(produce, 9, 2);
        var (_, produced) = await connection.ReadResponseAsync<ProduceResponse>(9, Timeout);
        var fetch = new FetchRequest
        {
            MaxWaitMs = 0,
            MaxBytes = 1 << 20,
            Topics = [new FetchRequest.FetchTopic { Topic = topic, Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = 0, PartitionMaxBytes = 1 << 20 }] }],
        };
        await connection.SendAsync(fetch, 12, 3);
        var (_, fetched) = await connection.ReadResponseAsync<FetchResponse>(12, Timeout);
        return (produced.Responses[0].PartitionResponses[0].ErrorCode, fetched.Responses[0].Partitions[0].Records?.Length ?? 0);
    }
}
