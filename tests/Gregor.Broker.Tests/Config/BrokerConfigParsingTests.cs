using Gregor.Broker.Config;
using Microsoft.Extensions.Logging;
using static Gregor.Broker.Tests.Config.BrokerConfigTestHelpers;

namespace Gregor.Broker.Tests.Config;

public class BrokerConfigParsingTests
{
    [Fact]
    public void Values_are_typed()
    {
        var c = Cfg("broker.id=7", "num.partitions= 12 ", "auto.create.topics.enable=FALSE", "log.cleaner.min.cleanable.ratio=0.25",
            "log.cleanup.policy=compact, delete", "log.message.timestamp.type=LogAppendTime", "log.level=debug");
        Assert.Equal(7, c.BrokerId);
        Assert.Equal(12, c.NumPartitions);
        Assert.False(c.AutoCreateTopicsEnable);
        Assert.Equal(0.25, c.LogCleanerMinCleanableRatio);
        Assert.Equal(CleanupPolicy.Compact | CleanupPolicy.Delete, c.CleanupPolicy);
        Assert.Equal(MessageTimestampType.LogAppendTime, c.MessageTimestampType);
        Assert.Equal(LogLevel.Debug, c.LogLevel);
    }

    [Theory]
    [InlineData(new string[0], 168L * 3600000)]
    [InlineData(new[] { "log.retention.hours=1" }, 3600000L)]
    [InlineData(new[] { "log.retention.hours=1", "log.retention.minutes=2" }, 120000L)]
    [InlineData(new[] { "log.retention.hours=1", "log.retention.minutes=2", "log.retention.ms=3" }, 3L)]
    [InlineData(new[] { "log.retention.minutes=2", "log.retention.ms=3" }, 3L)]
    [InlineData(new[] { "log.retention.hours=1", "log.retention.ms=3" }, 3L)]
    [InlineData(new[] { "log.retention.ms=-1" }, -1L)]
    [InlineData(new[] { "log.retention.hours=-1" }, -1L)]
    [InlineData(new[] { "log.retention.minutes=-5" }, -1L)]
    [InlineData(new[] { "log.retention.ms=-1", "log.retention.hours=5" }, -1L)]
    public void Retention_smallest_unit_given_wins(string[] pairs, long expected)
    {
        Assert.Equal(expected, Cfg(pairs).RetentionMs);
    }

    [Fact]
    public void Zero_retention_is_rejected_naming_the_key_that_gave_it()
    {
        var e = Invalid("log.retention.minutes=0", "log.retention.hours=5");
        Assert.Equal("log.retention.minutes", e.Key);
        Assert.Equal("0", e.Value);
    }

    [Theory]
    [InlineData(new string[0], 168L * 3600000)]
    [InlineData(new[] { "log.roll.hours=2" }, 7200000L)]
    [InlineData(new[] { "log.roll.hours=2", "log.roll.ms=500" }, 500L)]
    public void Roll_ms_beats_hours(string[] pairs, long expected)
    {
        Assert.Equal(expected, Cfg(pairs).RollMs);
    }

    [Fact]
    public void Roll_jitter_ms_beats_hours()
    {
        Assert.Equal(3600000L, Cfg("log.roll.jitter.hours=1").RollJitterMs);
        Assert.Equal(10L, Cfg("log.roll.jitter.hours=1", "log.roll.jitter.ms=10").RollJitterMs);
    }

    [Fact]
    public void Flush_interval_ms_falls_back_to_the_scheduler_interval()
    {
        Assert.Equal(2000L, Cfg("log.flush.scheduler.interval.ms=2000").FlushIntervalMs);
        Assert.Equal(50L, Cfg("log.flush.scheduler.interval.ms=2000", "log.flush.interval.ms=50").FlushIntervalMs);
    }

    [Fact]
    public void Log_dirs_beats_log_dir_and_is_split_at_commas()
    {
        Assert.Equal(["/a"], Cfg("log.dir=/a").LogDirs);
        Assert.Equal(["/b", "/c"], Cfg("log.dir=/a", "log.dirs=/b, /c").LogDirs);
    }

    [Fact]
    public void Empty_log_dirs_is_an_error()
    {
        var e = Invalid("log.dirs= , ");
        Assert.Equal("log.dirs", e.Key);
        Assert.Contains("log.dirs", e.Message);
    }

    [Theory]
    [InlineData("num.partitions=zero", "num.partitions", "zero", "Invalid value zero for configuration num.partitions: not a number")]
    [InlineData("port=70000", "port", "70000", "Invalid value 70000 for configuration port: must be between 0 and 65535")]
    [InlineData("log.segment.bytes=-5", "log.segment.bytes", "-5", "Invalid value -5 for configuration log.segment.bytes: must be at least 14")]
    [InlineData("num.partitions=0", "num.partitions", "0", "Invalid value 0 for configuration num.partitions: must be at least 1")]
    [InlineData("num.partitions=99999999999", "num.partitions", "99999999999", "Invalid value 99999999999 for configuration num.partitions: out of range for type INT")]
    [InlineData("auto.create.topics.enable=yes", "auto.create.topics.enable", "yes", "Invalid value yes for configuration auto.create.topics.enable: expected value to be either true or false")]
    [InlineData("log.cleaner.min.cleanable.ratio=1.5", "log.cleaner.min.cleanable.ratio", "1.5", "Invalid value 1.5 for configuration log.cleaner.min.cleanable.ratio: must be between 0 and 1")]
    [InlineData("compression.type=brotli", "compression.type", "brotli", "Invalid value brotli for configuration compression.type: must be one of: uncompressed, zstd, lz4, snappy, gzip, producer")]
    [InlineData("log.cleanup.policy=delete,shred", "log.cleanup.policy", "delete,shred", "Invalid value delete,shred for configuration log.cleanup.policy: 'shred' is not one of: compact, delete")]
    [InlineData("log.level=loud", "log.level", "loud", null)]
    [InlineData("log.retention.ms=soon", "log.retention.ms", "soon", null)]
    [InlineData("fetch.max.bytes=100", "fetch.max.bytes", "100", null)]
    public void Invalid_values_name_the_key_and_the_value(string pair, string key, string value, string? message)
    {
        var e = Invalid(pair);
        Assert.Equal(key, e.Key);
        Assert.Equal(value, e.Value);
        Assert.Contains(key, e.Message);
        Assert.Contains(value, e.Message);
        if (message is not null)
        {
            Assert.Equal(message, e.Message);
        }
    }

    [Fact]
    public void Group_session_timeouts_must_be_ordered()
    {
        var e = Invalid("group.min.session.timeout.ms=10000", "group.max.session.timeout.ms=5000");
        Assert.Equal("group.max.session.timeout.ms", e.Key);
    }

    [Fact]
    public void Queued_max_request_bytes_is_unbounded_or_at_least_socket_request_max_bytes()
    {
        var e = Invalid("socket.request.max.bytes=104857600", "queued.max.request.bytes=1048576");
        Assert.Equal("queued.max.request.bytes", e.Key);
        Assert.Equal(-1, Cfg("queued.max.request.bytes=-1").QueuedMaxRequestBytes);
        Assert.Equal(104857600, Cfg("socket.request.max.bytes=104857600", "queued.max.request.bytes=104857600").QueuedMaxRequestBytes);
    }

    [Fact]
    public void Unknown_keys_are_warnings_not_errors()
    {
        var result = Load("num.partitions=3", "no.such.key=1", "another=x");
        Assert.Equal(3, result.Config.NumPartitions);
        Assert.Equal(["unknown configuration key 'another' ignored", "unknown configuration key 'no.such.key' ignored"], result.Warnings);
        Assert.Equal("1", result.Config.OriginalProperties["no.such.key"]);
    }

    [Fact]
    public void Known_keys_give_no_warnings()
    {
        Assert.Empty(Load("num.partitions=3", "log.dirs=/x").Warnings);
    }

    [Fact]
    public void Load_reads_the_file_and_overrides_beat_it()
    {
        var dir = Directory.CreateTempSubdirectory("gregor-config-test");
        try
        {
            var path = Path.Combine(dir.FullName, "server.properties");
            File.WriteAllText(path, "# test\nbroker.id=1\nnum.partitions : 4\nlog.dirs=/data/a,\\\n    /data/b\nlog.retention.hours 1\n");
            var result = BrokerConfig.Load(path, ["num.partitions=8", "log.retention.ms=1000", "broker.id=2", "broker.id=3"]);
            var c = result.Config;
            Assert.Equal(3, c.BrokerId);
            Assert.Equal(8, c.NumPartitions);
            Assert.Equal(["/data/a", "/data/b"], c.LogDirs);
            Assert.Equal(1000L, c.RetentionMs);
            Assert.Empty(result.Warnings);
            Assert.True(c.IsSet("log.retention.hours"));
            Assert.False(c.IsSet("log.roll.hours"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Override_without_equals_is_an_error()
    {
        var e = Assert.Throws<ConfigException>(() => BrokerConfig.ApplyOverrides(new Dictionary<string, string>(), ["num.partitions"]));
        Assert.Equal("num.partitions", e.Key);
    }

    [Fact]
    public void Override_value_may_contain_equals()
    {
        var d = new Dictionary<string, string>();
        BrokerConfig.ApplyOverrides(d, ["a=b=c"]);
        Assert.Equal("b=c", d["a"]);
    }

    [Fact]
    public void The_shipped_server_properties_loads_without_warnings()
    {
        var path = FindRepoFile("config/server.properties");
        var result = BrokerConfig.Load(path, []);
        Assert.Empty(result.Warnings);
        Assert.Equal(["/tmp/gregor-logs"], result.Config.LogDirs);
        Assert.Equal(1, result.Config.OffsetsTopicReplicationFactor);
        Assert.Equal([new ListenerEndpoint("PLAINTEXT", "PLAINTEXT", "localhost", 9092)], result.Config.EffectiveAdvertisedListeners);
    }

    [Fact]
    public void Effective_values_list_every_key_sorted()
    {
        var c = Cfg("num.partitions=3");
        var values = c.EffectiveValues();
        Assert.Equal(BrokerConfigDefinitions.All.Count, values.Count);
        Assert.Equal(values.Select(v => v.Key).Order(StringComparer.Ordinal), values.Select(v => v.Key));
        Assert.Contains(new KeyValuePair<string, string>("num.partitions", "3"), values);
        Assert.Contains(new KeyValuePair<string, string>("log.retention.ms", "null"), values);
        Assert.Contains("\tnum.partitions = 3\n", c.FormatEffectiveValues());
    }

    [Fact]
    public void Broker_describe_reports_static_and_default_sources()
    {
        var c = Cfg("num.partitions=3");
        var described = c.Describe(["num.partitions", "num.io.threads", "nope"]);
        Assert.Equal(2, described.Count);
        Assert.Equal(new DescribedConfig("num.partitions", "3", ConfigSource.StaticBrokerConfig, false, true, ConfigType.Int,
            described[0].Documentation, described[0].Synonyms), described[0]);
        Assert.Equal([new ConfigSynonym("num.partitions", "3", ConfigSource.StaticBrokerConfig), new ConfigSynonym("num.partitions", "1", ConfigSource.DefaultConfig)],
            described[0].Synonyms);
        Assert.Equal(ConfigSource.DefaultConfig, described[1].Source);
        Assert.True(described[1].IsDefault);
        Assert.Equal("8", described[1].Value);
    }

    private static string FindRepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException(relative);
    }
}
