using Gregor.Broker.Config;

namespace Gregor.Broker.Tests.Config;

internal static class BrokerConfigTestHelpers
{
    /// <summary>A config from <c>key=value</c> strings.</summary>
    public static BrokerConfig Cfg(params string[] pairs) => Load(pairs).Config;

    public static BrokerConfigLoadResult Load(params string[] pairs)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        BrokerConfig.ApplyOverrides(properties, pairs);
        return BrokerConfig.FromProperties(properties);
    }

    public static ConfigException Invalid(params string[] pairs) => Assert.Throws<ConfigException>(() => Cfg(pairs));
}
