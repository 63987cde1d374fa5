using Gregor.Broker.Config;

namespace Gregor.Broker.Tests.Config;

/// <summary>
/// The configuration built into the program is the shipped <c>config/server.properties</c>, so a
/// broker started without a file behaves as one started with it.
/// </summary>
public sealed class BuiltInConfigTests
{
    private static string ShippedFile
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "config", "server.properties");
                if (File.Exists(Path.Combine(dir.FullName, "Gregor.slnx")) && File.Exists(candidate))
                {
                    return candidate;
                }
            }
            throw new FileNotFoundException("config/server.properties not found above " + AppContext.BaseDirectory);
        }
    }

    [Fact]
    public void The_built_in_text_is_the_shipped_file()
    {
        Assert.Equal(File.ReadAllText(ShippedFile), BrokerConfig.BuiltInPropertiesText);
    }

    [Fact]
    public void The_built_in_configuration_equals_the_shipped_file_loaded()
    {
        var overrides = new[] { "num.partitions=3" };
        var builtIn = BrokerConfig.LoadBuiltIn(overrides);
        var shipped = BrokerConfig.Load(ShippedFile, overrides);
        Assert.Equal(shipped.Config.EffectiveValues(), builtIn.Config.EffectiveValues());
        Assert.Equal(shipped.Warnings, builtIn.Warnings);
        Assert.Equal(3, builtIn.Config.NumPartitions);
    }

    [Fact]
    public void The_shipped_file_starts_new_groups_without_delay_as_Kafkas_does()
    {
        Assert.Equal(0, BrokerConfig.Load(ShippedFile, []).Config.GroupInitialRebalanceDelayMs);
        // Kafka's built-in default is unchanged.
        Assert.Equal(3000, BrokerConfig.Default.GroupInitialRebalanceDelayMs);
    }
}
