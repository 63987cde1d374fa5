using Gregor.Broker.Admin;
using Gregor.Broker.Config;

namespace Gregor.Broker.Tests.Admin;

/// <summary>Dynamic broker configs: which keys may change, precedence over the static file, persistence, and describe sources.</summary>
public sealed class DynamicBrokerConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gregor-dyn-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private BrokerConfig Static(params string[] pairs)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal) { ["log.dirs"] = _dir };
        BrokerConfig.ApplyOverrides(properties, pairs);
        return BrokerConfig.FromProperties(properties).Config;
    }

    private static Func<IReadOnlyDictionary<string, string>, IReadOnlyDictionary<string, string>> Set(string key, string value) =>
        current => new Dictionary<string, string>(current) { [key] = value };

    [Fact]
    public void Dynamic_keys_are_Kafkas_reconfigurable_keys()
    {
        Assert.Contains("log.retention.ms", DynamicBrokerKeys.All);
        Assert.Contains("log.segment.bytes", DynamicBrokerKeys.All);
        Assert.Contains("message.max.bytes", DynamicBrokerKeys.All);
        Assert.Contains("sasl.kerberos.min.time.before.relogin", DynamicBrokerKeys.All);
        Assert.Contains("num.io.threads", DynamicBrokerKeys.All);
        Assert.Contains("log.local.retention.ms", DynamicBrokerKeys.All);
        Assert.DoesNotContain("log.retention.hours", DynamicBrokerKeys.All);
        Assert.DoesNotContain("log.message.format.version", DynamicBrokerKeys.All);
        Assert.DoesNotContain("broker.id", DynamicBrokerKeys.All);
        Assert.All(DynamicBrokerKeys.All, k => Assert.True(BrokerConfigDefinitions.TryGet(k, out _), $"{k} is not in the catalog"));
    }

    [Fact]
    public void A_security_key_Kafka_reconfigures_is_stored_per_broker_and_described_back()
    {
        var dynamic = DynamicBrokerConfig.Load(Static());
        dynamic.Replace(perBroker: true, Set("sasl.kerberos.min.time.before.relogin", "120000"), validateOnly: false);

        var entry = Assert.Single(ConfigDescriber.DescribeBroker(DynamicBrokerConfig.Load(Static()), ["sasl.kerberos.min.time.before.relogin"]));
        Assert.Equal(("120000", ConfigSource.DynamicBrokerConfig, ConfigType.Long, false), (entry.Value, entry.Source, entry.Type, entry.ReadOnly));
        Assert.Equal([("120000", ConfigSource.DynamicBrokerConfig), ("60000", ConfigSource.DefaultConfig)], entry.Synonyms.Select(s => (s.Value, s.Source)));
    }

    [Fact]
    public void Kafkas_placement_rules_are_kept()
    {
        var dynamic = DynamicBrokerConfig.Load(Static());
        var clusterWide = Assert.Throws<ConfigException>(() => dynamic.Replace(perBroker: false, Set("sasl.kerberos.min.time.before.relogin", "120000"), validateOnly: false));
        Assert.Equal("Cannot update these configs at default cluster level, broker id must be specified: Set(sasl.kerberos.min.time.before.relogin)", clusterWide.Message);
        var unprefixed = Assert.Throws<ConfigException>(() => dynamic.Replace(perBroker: true, Set("ssl.keystore.location", "/k.jks"), validateOnly: false));
        Assert.Equal("These security configs can be dynamically updated only per-listener using the listener prefix: Set(ssl.keystore.location)", unprefixed.Message);

        dynamic.Replace(perBroker: true, Set("listener.name.external.ssl.keystore.location", "/k.jks"), validateOnly: false);
        dynamic.Replace(perBroker: true, Set("listener.name.external.ssl.keystore.password", "secret"), validateOnly: false);
        dynamic.Replace(perBroker: false, Set("max.connections.per.ip", "100"), validateOnly: false);
        dynamic.Replace(perBroker: false, Set("some.custom.key", "x"), validateOnly: false);
        var described = ConfigDescriber.DescribeBroker(dynamic, null).ToDictionary(d => d.Name);
        Assert.Equal("/k.jks", described["listener.name.external.ssl.keystore.location"].Value);
        Assert.Equal(ConfigType.String, described["listener.name.external.ssl.keystore.location"].Type);
        Assert.Null(described["listener.name.external.ssl.keystore.password"].Value);
        Assert.True(described["listener.name.external.ssl.keystore.password"].IsSensitive);
        Assert.Equal(("x", ConfigSource.DynamicDefaultBrokerConfig), (described["some.custom.key"].Value, described["some.custom.key"].Source));
        Assert.Equal(["max.connections.per.ip", "some.custom.key"], ConfigDescriber.DescribeClusterDefaults(dynamic, null).Select(d => d.Name));
    }

    [Fact]
    public void Values_are_checked_with_their_type_and_thread_counts_with_Kafkas_rule()
    {
        var dynamic = DynamicBrokerConfig.Load(Static());
        var notLong = Assert.Throws<ConfigException>(() => dynamic.Replace(perBroker: true, Set("sasl.kerberos.min.time.before.relogin", "soon"), validateOnly: false));
        Assert.Contains("sasl.kerberos.min.time.before.relogin", notLong.Message, StringComparison.Ordinal);
        var prefixed = Assert.Throws<ConfigException>(() => dynamic.Replace(perBroker: true, Set("listener.name.external.ssl.client.auth", "always"), validateOnly: false));
        Assert.Contains("ssl.client.auth", prefixed.Message, StringComparison.Ordinal);

        var tooMany = Assert.Throws<ConfigException>(() => dynamic.Replace(perBroker: true, Set("num.io.threads", "17"), validateOnly: false));
        Assert.Equal("Dynamic thread count update validation failed for num.io.threads=17, value should not be greater than double the current value 8", tooMany.Message);
        dynamic.Replace(perBroker: true, Set("num.io.threads", "16"), validateOnly: false);
        Assert.Equal(16, dynamic.Current.NumIoThreads);
        var cleaners = Assert.Throws<ConfigException>(() => dynamic.Replace(perBroker: true, Set("log.cleaner.threads", "3"), validateOnly: false));
        Assert.Equal("Log cleaner threads cannot be increased to more than double the current value 1", cleaners.Message);
    }

    [Fact]
    public void A_static_value_outside_the_dynamic_rules_does_not_block_other_changes()
    {
        // log.cleaner.threads=0 is a valid static value, though a dynamic change to 0 is refused.
        var dynamic = DynamicBrokerConfig.Load(Static("log.cleaner.threads=0"));
        dynamic.Replace(perBroker: true, Set("log.retention.ms", "5000"), validateOnly: false);
        Assert.Equal(5000, dynamic.Current.RetentionMs);
    }

    [Fact]
    public void Per_broker_beats_cluster_default_which_beats_the_static_file()
    {
        var dynamic = DynamicBrokerConfig.Load(Static("log.retention.hours=1", "log.segment.bytes=1048576"));

        dynamic.Replace(perBroker: false, Set("log.retention.ms", "5000"), validateOnly: false);
        Assert.Equal(5000, dynamic.Current.RetentionMs);
        dynamic.Replace(perBroker: true, Set("log.retention.ms", "7000"), validateOnly: false);
        Assert.Equal(7000, dynamic.Current.RetentionMs);
        Assert.Equal(1048576, dynamic.Current.LogSegmentBytes);
    }

    [Fact]
    public void Changes_persist_and_validate_only_changes_nothing()
    {
        var dynamic = DynamicBrokerConfig.Load(Static());
        dynamic.Replace(perBroker: false, Set("log.retention.ms", "5000"), validateOnly: false);
        Assert.Null(dynamic.Replace(perBroker: true, Set("message.max.bytes", "2000"), validateOnly: true));

        var reloaded = DynamicBrokerConfig.Load(Static());
        Assert.Equal(5000, reloaded.Current.RetentionMs);
        Assert.Equal(BrokerConfig.Default.MessageMaxBytes, reloaded.Current.MessageMaxBytes);
        Assert.Empty(reloaded.Layer(perBroker: true));
    }

    [Fact]
    public void Non_dynamic_keys_and_invalid_values_are_refused()
    {
        var dynamic = DynamicBrokerConfig.Load(Static());
        var nonDynamic = Assert.Throws<ConfigException>(() => dynamic.Replace(perBroker: true, Set("broker.id", "3"), validateOnly: false));
        Assert.Contains("Cannot update these configs dynamically", nonDynamic.Message, StringComparison.Ordinal);
        var invalid = Assert.Throws<ConfigException>(() => dynamic.Replace(perBroker: true, Set("log.segment.bytes", "big"), validateOnly: false));
        Assert.Contains("log.segment.bytes", invalid.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, DynamicBrokerConfigFile.FileName)));
    }

    [Fact]
    public void Topic_description_puts_dynamic_sources_between_the_override_and_the_static_file()
    {
        var dynamic = DynamicBrokerConfig.Load(Static("log.retention.hours=1"));
        dynamic.Replace(perBroker: false, Set("log.retention.ms", "5000"), validateOnly: false);

        var plain = Assert.Single(ConfigDescriber.DescribeTopic(dynamic, new Dictionary<string, string>(), ["retention.ms"]));
        Assert.Equal("5000", plain.Value);
        Assert.Equal(ConfigSource.DynamicDefaultBrokerConfig, plain.Source);
        Assert.Equal(
            [ConfigSource.DynamicDefaultBrokerConfig, ConfigSource.StaticBrokerConfig, ConfigSource.DefaultConfig],
            plain.Synonyms.Select(s => s.Source));

        var overridden = Assert.Single(ConfigDescriber.DescribeTopic(dynamic, new Dictionary<string, string> { ["retention.ms"] = "10" }, ["retention.ms"]));
        Assert.Equal("10", overridden.Value);
        Assert.Equal(ConfigSource.DynamicTopicConfig, overridden.Source);
    }
}
