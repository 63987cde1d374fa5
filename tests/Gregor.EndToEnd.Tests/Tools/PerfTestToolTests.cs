using System.Text.Json;
using System.Text.RegularExpressions;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Tools;

/// <summary>producer-perf-test and consumer-perf-test report Kafka's figures, as text and as JSON.</summary>
public sealed partial class PerfTestToolTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private BrokerProcess Broker => fixture.Broker;

    [GeneratedRegex(@"^5000 records sent, [\d.]+ records/sec \([\d.]+ MB/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.$")]
    private static partial Regex ProducerSummary();

    [Fact]
    public async Task Producer_perf_test_json_has_consistent_numbers_and_consumer_perf_test_reads_them_back()
    {
        var topic = GregorTool.NewTopic("perf");
        var produced = await GregorTool.SucceedAsync(Broker, "producer-perf-test",
            ["--topic", topic, "--num-records", "5000", "--record-size", "200", "--throughput", "-1", "--producer-props", "acks=1", "linger.ms=5", "compression.type=lz4",
             "dotnet.producer.delivery.report.fields=all", "--json"]);
        using (var json = JsonDocument.Parse(produced.StandardOutput))
        {
            var r = json.RootElement;
            Assert.Equal(5000, r.GetProperty("records").GetInt64());
            Assert.Equal(0, r.GetProperty("failed").GetInt64());
            Assert.True(r.GetProperty("recordsPerSec").GetDouble() > 0);
            var mbPerSec = r.GetProperty("mbPerSec").GetDouble();
            Assert.Equal(r.GetProperty("recordsPerSec").GetDouble() * 200 / (1024 * 1024), mbPerSec, 1e-6);
            var p50 = r.GetProperty("p50LatencyMs").GetInt32();
            var p99 = r.GetProperty("p99LatencyMs").GetInt32();
            var max = r.GetProperty("maxLatencyMs").GetInt32();
            Assert.True(0 <= p50 && p50 <= r.GetProperty("p95LatencyMs").GetInt32() && p99 <= r.GetProperty("p999LatencyMs").GetInt32()
                && r.GetProperty("p999LatencyMs").GetInt32() <= max, produced.StandardOutput);
            Assert.InRange(r.GetProperty("avgLatencyMs").GetDouble(), 0, max);
        }

        var offsets = await GregorTool.SucceedAsync(Broker, "get-offsets", ["--topic", topic]);
        Assert.Equal($"{topic}:0:5000", offsets.StandardOutput.Trim());

        var consumed = await GregorTool.SucceedAsync(Broker, "consumer-perf-test", ["--topic", topic, "--messages", "5000", "--json"]);
        using (var json = JsonDocument.Parse(consumed.StandardOutput))
        {
            var r = json.RootElement;
            Assert.Equal(5000, r.GetProperty("dataConsumedMessages").GetInt64());
            Assert.Equal(5000 * 200 / (1024.0 * 1024), r.GetProperty("dataConsumedMb").GetDouble(), 1e-9);
            Assert.True(r.GetProperty("messagesPerSec").GetDouble() > 0);
        }
    }

    [Fact]
    public async Task Text_output_follows_kafkas_layout()
    {
        var topic = GregorTool.NewTopic("perftext");
        var produced = await GregorTool.SucceedAsync(Broker, "producer-perf-test",
            ["--topic", topic, "--num-records", "5000", "--record-size", "10", "--throughput", "20000"]);
        Assert.Matches(ProducerSummary(), GregorTool.Lines(produced.StandardOutput)[^1]);

        var consumed = await GregorTool.SucceedAsync(Broker, "consumer-perf-test", ["--topic", topic, "--messages", "5000"]);
        var lines = GregorTool.Lines(consumed.StandardOutput);
        Assert.Equal("start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec", lines[0]);
        var fields = lines[1].Split(", ");
        Assert.Equal(10, fields.Length);
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}$", fields[0]);
        Assert.Equal("5000", fields[4]);
    }

    /// <summary>Past 20,000 records only a sample carries delivery reports; every record is still counted.</summary>
    [Fact]
    public async Task A_sampled_run_counts_every_record_the_broker_took()
    {
        var topic = GregorTool.NewTopic("perfsampled");
        var produced = await GregorTool.SucceedAsync(Broker, "producer-perf-test",
            ["--topic", topic, "--num-records", "50000", "--record-size", "20", "--throughput", "-1", "--producer-props", "acks=1", "--json"]);
        using (var json = JsonDocument.Parse(produced.StandardOutput))
        {
            Assert.Equal(50000, json.RootElement.GetProperty("records").GetInt64());
            Assert.Equal(0, json.RootElement.GetProperty("failed").GetInt64());
        }
        var offsets = await GregorTool.SucceedAsync(Broker, "get-offsets", ["--topic", topic]);
        Assert.Equal($"{topic}:0:50000", offsets.StandardOutput.Trim());
    }

    /// <summary>A topic that refuses every batch (max.message.bytes below one record): every record, sampled or not, is a failure.</summary>
    [Fact]
    public async Task A_sampled_run_counts_every_record_the_broker_refused()
    {
        var topic = GregorTool.NewTopic("perfrefused");
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "1", "--topic", topic, "--config", "max.message.bytes=100"]);
        var produced = await GregorTool.RunAsync(Broker, "producer-perf-test",
            ["--topic", topic, "--num-records", "30000", "--record-size", "200", "--throughput", "-1", "--producer-props", "acks=1", "--json"]);
        Assert.True(produced.ExitCode == 1, produced.ToString());
        using var json = JsonDocument.Parse(produced.StandardOutput);
        Assert.Equal(0, json.RootElement.GetProperty("records").GetInt64());
        Assert.Equal(30000, json.RootElement.GetProperty("failed").GetInt64());
        Assert.Contains("30000 of 30000 records were not delivered", produced.StandardError);
    }

    /// <summary>In a group the records come through the group's assignment, and the offsets committed on leaving mean a second run finds nothing new.</summary>
    [Fact]
    public async Task Consumer_perf_test_in_a_group_consumes_and_commits()
    {
        var topic = GregorTool.NewTopic("perfgroup");
        var group = GregorTool.NewTopic("perfgroup-g");
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "3", "--topic", topic]);
        await GregorTool.SucceedAsync(Broker, "producer-perf-test",
            ["--topic", topic, "--num-records", "3000", "--record-size", "50", "--throughput", "-1", "--producer-props", "acks=1"]);
        var consumed = await GregorTool.SucceedAsync(Broker, "consumer-perf-test", ["--topic", topic, "--messages", "3000", "--group", group, "--json"]);
        using (var json = JsonDocument.Parse(consumed.StandardOutput))
        {
            Assert.Equal(3000, json.RootElement.GetProperty("dataConsumedMessages").GetInt64());
            Assert.Equal(3000 * 50 / (1024.0 * 1024), json.RootElement.GetProperty("dataConsumedMb").GetDouble(), 1e-9);
        }
        var again = await GregorTool.RunAsync(Broker, "consumer-perf-test", ["--topic", topic, "--messages", "1", "--group", group, "--timeout", "3000"]);
        Assert.True(again.ExitCode == 1, again.ToString());
        Assert.Contains("consumed 0 of 1 records", again.StandardError);
    }

    [Fact]
    public async Task Consumer_perf_test_fails_when_the_records_never_come()
    {
        var topic = GregorTool.NewTopic("perfempty");
        await GregorTool.SucceedAsync(Broker, "topics", ["--create", "--partitions", "1", "--topic", topic]);
        var result = await GregorTool.RunAsync(Broker, "consumer-perf-test", ["--topic", topic, "--messages", "10", "--timeout", "1000"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("consumed 0 of 10 records", result.StandardError);
    }
}
