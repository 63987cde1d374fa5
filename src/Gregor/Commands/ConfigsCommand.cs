using System.CommandLine;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.Tools;

namespace Gregor.Commands;

/// <summary>
/// `gregor configs --entity-type topics|brokers --entity-name N`, as kafka-configs.sh:
/// --describe prints "Dynamic configs for topic N are:" (or "All configs" with --all) then
/// <c>  name=value sensitive=B synonyms={SOURCE:name=value, ...}</c> lines; --alter applies
/// --add-config k=v,k=[a,b] and --delete-config k,k as one incremental change.
/// </summary>
public static class ConfigsCommand
{
    public static Command Create()
    {
        var cluster = new ClusterOptions();
        var entityType = new Option<string>("--entity-type") { Description = "topics or brokers.", Required = true };
        entityType.AcceptOnlyFromAmong("topics", "brokers");
        var entityName = new Option<string?>("--entity-name") { Description = "The topic name or broker id." };
        var describe = new Option<bool>("--describe") { Description = "Show the entity's configs." };
        var alter = new Option<bool>("--alter") { Description = "Change the entity's configs." };
        var all = new Option<bool>("--all") { Description = "With --describe: every config, not only the dynamic ones." };
        var addConfig = new Option<string?>("--add-config") { Description = "k=v,k=v to set (a list value as k=[a,b])." };
        var deleteConfig = new Option<string?>("--delete-config") { Description = "k,k to remove (back to the default)." };
        var command = new Command("configs", "Describe and alter topic and broker configs, like kafka-configs.sh.")
        {
            entityType, entityName, describe, alter, all, addConfig, deleteConfig,
        };
        cluster.AddTo(command);
        ToolAction.Set(command, async (parse, _) =>
        {
            if (parse.GetValue(describe) == parse.GetValue(alter))
            {
                throw new ToolException("exactly one of --describe, --alter is required");
            }
            var isTopic = parse.GetValue(entityType) == "topics";
            using var session = AdminSession.Connect(cluster.Read(parse));
            var name = parse.GetValue(entityName);
            if (isTopic && name is not null)
            {
                session.Topic(name);
            }
            else if (name is not null)
            {
                CheckBrokerExists(session, name);
            }
            if (parse.GetValue(describe))
            {
                var names = name is not null ? [name]
                    : isTopic ? session.Metadata().Topics.Select(t => t.Topic).Order(StringComparer.Ordinal).ToList()
                    : session.Metadata().Brokers.Select(b => b.BrokerId.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
                return await DescribeAsync(session, isTopic, names, parse.GetValue(all));
            }
            if (name is null)
            {
                throw new ToolException("--alter needs --entity-name");
            }
            var set = SplitConfigs(parse.GetValue(addConfig)).Select(ToPair).ToList();
            var remove = (parse.GetValue(deleteConfig) ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (set.Count == 0 && remove.Length == 0)
            {
                throw new ToolException("--alter needs --add-config or --delete-config");
            }
            var entries = set.Select(kv => new ConfigEntry { Name = kv.Key, Value = kv.Value, IncrementalOperation = AlterConfigOpType.Set })
                .Concat(remove.Select(k => new ConfigEntry { Name = k, IncrementalOperation = AlterConfigOpType.Delete }))
                .ToList();
            var resource = new ConfigResource { Type = isTopic ? ResourceType.Topic : ResourceType.Broker, Name = name };
            try
            {
                await session.Admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>> { [resource] = entries },
                    new IncrementalAlterConfigsOptions { RequestTimeout = ToolTimeouts.Request });
            }
            catch (IncrementalAlterConfigsException e)
            {
                throw new ToolException($"cannot alter configs of {Entity(isTopic)} {name}: {KafkaClients.Describe(e.Results[0].Error)}");
            }
            Console.WriteLine($"Completed updating config for {Entity(isTopic)} {name}.");
            return 0;
        });
        return command;
    }

    /// <summary>An unknown broker id is refused up front: the admin client would wait for it until the request times out.</summary>
    private static void CheckBrokerExists(AdminSession session, string name)
    {
        var brokers = session.Metadata().Brokers.Select(b => b.BrokerId).Order().ToList();
        if (!int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) || !brokers.Contains(id))
        {
            throw new ToolException($"broker '{name}' does not exist (brokers: {string.Join(", ", brokers)})");
        }
    }

    private static string Entity(bool isTopic) => isTopic ? "topic" : "broker";

    private static KeyValuePair<string, string> ToPair(string item)
    {
        var eq = item.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new ToolException($"--add-config expects k=v[,k=v...], got '{item}'");
        }
        var value = item[(eq + 1)..].Trim();
        if (value.StartsWith('[') && value.EndsWith(']'))
        {
            value = value[1..^1];
        }
        return new(item[..eq].Trim(), value);
    }

    /// <summary>Splits "k=v,k=[a,b]" at the commas outside square brackets.</summary>
    private static List<string> SplitConfigs(string? text)
    {
        var items = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return items;
        }
        var current = new StringBuilder();
        var depth = 0;
        foreach (var c in text)
        {
            depth += c == '[' ? 1 : c == ']' ? -1 : 0;
            if (c == ',' && depth == 0)
            {
                items.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }
        items.Add(current.ToString());
        return items.Where(i => i.Trim().Length > 0).ToList();
    }

    private static async Task<int> DescribeAsync(AdminSession session, bool isTopic, List<string> names, bool all)
    {
        List<DescribeConfigsResult> results;
        try
        {
            results = await session.Admin.DescribeConfigsAsync(
                names.Select(n => new ConfigResource { Type = isTopic ? ResourceType.Topic : ResourceType.Broker, Name = n }),
                new DescribeConfigsOptions { RequestTimeout = ToolTimeouts.Request });
        }
        catch (DescribeConfigsException e)
        {
            var failed = e.Results.First(r => r.Error.IsError);
            throw new ToolException($"cannot describe configs of {Entity(isTopic)} {failed.ConfigResource.Name}: {KafkaClients.Describe(failed.Error)}");
        }
        foreach (var r in results)
        {
            Console.WriteLine($"{(all ? "All" : "Dynamic")} configs for {Entity(isTopic)} {r.ConfigResource.Name} are:");
            foreach (var e in r.Entries.Values.Where(e => all || IsDynamic(e.Source)).OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                var synonyms = string.Join(", ", (e.Synonyms ?? []).Select(s => $"{SourceName(s.Source)}:{s.Name}={Shown(s.Value, e.IsSensitive)}"));
                Console.WriteLine($"  {e.Name}={Shown(e.Value, e.IsSensitive)} sensitive={(e.IsSensitive ? "true" : "false")} synonyms={{{synonyms}}}");
            }
        }
        return 0;
    }

    private static bool IsDynamic(ConfigSource source) =>
        source is ConfigSource.DynamicTopicConfig or ConfigSource.DynamicBrokerConfig or ConfigSource.DynamicDefaultBrokerConfig;

    private static string Shown(string? value, bool sensitive) => sensitive ? "null" : value ?? "null";

    /// <summary>Kafka's names for config sources (DYNAMIC_TOPIC_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG, ...).</summary>
    private static string SourceName(ConfigSource source) => source switch
    {
        ConfigSource.DynamicTopicConfig => "DYNAMIC_TOPIC_CONFIG",
        ConfigSource.DynamicBrokerConfig => "DYNAMIC_BROKER_CONFIG",
        ConfigSource.DynamicDefaultBrokerConfig => "DYNAMIC_DEFAULT_BROKER_CONFIG",
        ConfigSource.StaticBrokerConfig => "STATIC_BROKER_CONFIG",
        ConfigSource.DefaultConfig => "DEFAULT_CONFIG",
        _ => "UNKNOWN",
    };
}
