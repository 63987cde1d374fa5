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
    public void Dynamic_keys_are_the_primary_broker_synonyms_of_topic_keys()
    {
        Assert.Contains("log.retention.ms", DynamicBrokerConfig.DynamicKeys);
        Assert.Contains("log.segment.bytes", DynamicBrokerConfig.DynamicKeys);
        Assert.Contains("message.max.bytes", DynamicBrokerConfig.DynamicKeys);
        Assert.DoesNotContain("log.retention.hours", DynamicBrokerConfig.DynamicKeys);
        Assert.DoesNotContain("broker.id", DynamicBrokerConfig.DynamicKeys);
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
