using System.CommandLine;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.Tools;

namespace Gregor.Commands;

/// <summary>
/// `gregor topics`, as kafka-topics.sh: exactly one of --create, --list, --describe, --alter,
/// --delete. Except with --create, --topic is a regular expression (<see cref="TopicFilter"/>).
/// Describe prints Kafka's layout (see <see cref="TopicDescriber"/>). Departing from Kafka 3.x,
/// which refuses them with --bootstrap-server, --alter also takes --config and --delete-config
/// (as kafka-topics.sh did before it moved config changes to kafka-configs.sh).
/// </summary>
public static class TopicsCommand
{
    public static Command Create()
    {
        var cluster = new ClusterOptions();
        var create = new Option<bool>("--create") { Description = "Create a topic." };
        var list = new Option<bool>("--list") { Description = "List all topics (or those --topic matches)." };
        var describe = new Option<bool>("--describe") { Description = "Describe the topics --topic matches, or all." };
        var alter = new Option<bool>("--alter") { Description = "Increase the partition count (--partitions) or change configs (--config, --delete-config) of the topics --topic matches." };
        var delete = new Option<bool>("--delete") { Description = "Delete the topics --topic matches." };
        var topic = new Option<string?>("--topic")
        {
            Description = "The topic's name; except with --create, a regular expression matching whole names (escape '.' as '\\.' to match it alone).",
        };
        var topicId = new Option<string?>("--topic-id") { Description = "With --describe: the topic with this id (as --describe prints it) instead of --topic." };
        var partitions = new Option<int?>("--partitions") { Description = "Partition count (create: default the broker's num.partitions)." };
        var replicationFactor = new Option<short?>("--replication-factor") { Description = "Replicas per partition (default the broker's default.replication.factor)." };
        var configs = new Option<string[]>("--config")
        {
            Description = "A topic config override KEY=VALUE for --create or --alter. Repeatable.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var deleteConfigs = new Option<string[]>("--delete-config")
        {
            Description = "With --alter: a topic config override NAME to remove (back to the broker's value). Repeatable.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var ifNotExists = new Option<bool>("--if-not-exists") { Description = "With --create: succeed quietly if the topic exists." };
        var ifExists = new Option<bool>("--if-exists") { Description = "With --alter/--delete/--describe: succeed quietly if no topic matches." };
        var excludeInternal = new Option<bool>("--exclude-internal") { Description = "With --list/--describe: leave out internal topics." };
        var withOverrides = new Option<bool>("--topics-with-overrides") { Description = "With --describe: only the topics with non-default configs, without their partitions." };
        var sizeLimit = new Option<int?>("--partition-size-limit-per-response")
        {
            Description = "With --describe: accepted for kafka-topics.sh's scripts; the partitions come in one Metadata response, so it changes nothing.",
        };
        var reports = new PartitionReports();
        var zookeeper = new Option<string?>("--zookeeper") { Description = "Work on the znodes of the ZooKeeper cluster HOST:PORT[/chroot] instead of --bootstrap-server." };
        var replicaAssignment = new Option<string?>("--replica-assignment") { Description = "With --zookeeper: replicas per partition, e.g. 1:2,2:3 (partition 0 on 1 and 2, …)." };

        var command = new Command("topics", "Create, list, describe, alter and delete topics, like kafka-topics.sh.")
        {
            create, list, describe, alter, delete, topic, topicId, partitions, replicationFactor, configs, deleteConfigs,
            ifNotExists, ifExists, excludeInternal, withOverrides, sizeLimit, zookeeper, replicaAssignment,
        };
        reports.AddTo(command);
        cluster.AddTo(command);
        ToolAction.Set(command, async (parse, cancellationToken) =>
        {
            var actions = new[] { create, list, describe, alter, delete }.Where(o => parse.GetValue(o)).ToList();
            if (actions.Count != 1)
            {
                throw new ToolException("exactly one of --create, --list, --describe, --alter, --delete is required");
            }
            var action = actions[0];
            // Which actions each option goes with, as kafka-topics.sh checks them.
            OnlyWith(parse, action, topicId, describe);
            OnlyWith(parse, action, partitions, alter, create);
            OnlyWith(parse, action, replicationFactor, create);
            OnlyWith(parse, action, configs, alter, create);
            OnlyWith(parse, action, deleteConfigs, alter);
            OnlyWith(parse, action, ifNotExists, create);
            OnlyWith(parse, action, ifExists, alter, delete, describe);
            OnlyWith(parse, action, excludeInternal, list, describe);
            OnlyWith(parse, action, withOverrides, describe);
            OnlyWith(parse, action, sizeLimit, describe);
            foreach (var report in reports.All)
            {
                OnlyWith(parse, action, report, describe);
                if (parse.GetValue(report) && parse.GetValue(withOverrides))
                {
                    throw new ToolException($"{report.Name} can't be used with {withOverrides.Name}");
                }
            }
            if (parse.GetValue(sizeLimit) is <= 0)
            {
                throw new ToolException($"{sizeLimit.Name} must be positive");
            }
            var name = parse.GetValue(topic);
            if (action != list && action != describe && name is null)
            {
                throw new ToolException($"{action.Name} needs --topic");
            }
            if (parse.GetValue(zookeeper) is { } zkConnect)
            {
                if (parse.GetResult(cluster.BootstrapServer) is { Implicit: false })
                {
                    throw new ToolException("give one of --bootstrap-server and --zookeeper, not both");
                }
                return await ZooKeeperTopics.RunAsync(zkConnect, new ZooKeeperTopicsRequest(action.Name, name, parse.GetValue(partitions),
                    parse.GetValue(replicationFactor), parse.GetValue(replicaAssignment),
                    ClientProperties.ParsePairs(parse.GetValue(configs) ?? [], "--config").ToDictionary(),
                    parse.GetValue(ifNotExists), parse.GetValue(ifExists), parse.GetValue(excludeInternal)), cancellationToken);
            }
            if (parse.GetValue(replicaAssignment) is not null)
            {
                throw new ToolException("--replica-assignment needs --zookeeper");
            }
            using var session = AdminSession.Connect(cluster.Read(parse));
            var skipInternal = parse.GetValue(excludeInternal);
            var filter = name is null || action == create ? null : new TopicFilter(name);
            if (action == create)
            {
                return await CreateAsync(session, name!, parse.GetValue(partitions), parse.GetValue(replicationFactor),
                    ClientProperties.ParsePairs(parse.GetValue(configs) ?? [], "--config").ToDictionary(), parse.GetValue(ifNotExists));
            }
            if (action == list)
            {
                foreach (var t in TopicNames(session, filter, skipInternal))
                {
                    Console.WriteLine(t);
                }
                return 0;
            }
            if (action == describe)
            {
                var id = parse.GetValue(topicId);
                var options = new TopicDescriber.Options(reports.Read(parse), parse.GetValue(withOverrides));
                var describer = new TopicDescriber(session, options);
                var topics = id is null ? TopicNames(session, filter, skipInternal) : TopicNames(session, null, skipInternal);
                var found = await describer.DescribeAsync(topics, id);
                if (found == 0 && (name is not null || id is not null) && !parse.GetValue(ifExists))
                {
                    throw new ToolException(id is null ? $"topic '{name}' does not exist" : $"topic id '{id}' does not exist");
                }
                return 0;
            }
            var matched = Matched(session, name!, filter!, parse.GetValue(ifExists));
            if (action == alter)
            {
                var set = ClientProperties.ParsePairs(parse.GetValue(configs) ?? [], "--config").ToList();
                var remove = parse.GetValue(deleteConfigs) ?? [];
                var grow = parse.GetValue(partitions);
                if (grow is null && set.Count == 0 && remove.Length == 0)
                {
                    throw new ToolException("--alter needs --partitions, --config or --delete-config");
                }
                foreach (var t in matched)
                {
                    await AlterAsync(session, t, grow, set, remove);
                }
                return 0;
            }
            foreach (var t in matched)
            {
                await DeleteAsync(session, t);
            }
            return 0;
        });
        return command;
    }

    /// <summary>Refuses <paramref name="option"/> given with an action it does not go with.</summary>
    private static void OnlyWith(ParseResult parse, Option action, Option option, params Option[] actions)
    {
        if (parse.GetResult(option) is { Implicit: false } && !actions.Contains(action))
        {
            throw new ToolException($"{option.Name} can't be used with {action.Name}");
        }
    }

    private static async Task<int> CreateAsync(AdminSession session, string name, int? partitions, short? replicationFactor,
        Dictionary<string, string> configs, bool ifNotExists)
    {
        var spec = new TopicSpecification
        {
            Name = name,
            NumPartitions = partitions ?? -1,
            ReplicationFactor = replicationFactor ?? -1,
            Configs = configs,
        };
        try
        {
            await session.Admin.CreateTopicsAsync([spec], new CreateTopicsOptions { RequestTimeout = ToolTimeouts.Request });
        }
        catch (CreateTopicsException e)
        {
            var error = e.Results[0].Error;
            if (error.Code == ErrorCode.TopicAlreadyExists)
            {
                if (ifNotExists)
                {
                    return 0;
                }
                throw new ToolException($"topic '{name}' already exists");
            }
            throw new ToolException($"cannot create topic '{name}': {KafkaClients.Describe(error)}");
        }
        Console.WriteLine($"Created topic {name}.");
        return 0;
    }

    /// <summary>The cluster's topic names <paramref name="filter"/> allows (all without one), in order.</summary>
    private static List<string> TopicNames(AdminSession session, TopicFilter? filter, bool excludeInternal) =>
        session.Metadata().Topics
            .Where(t => !t.Error.IsError)
            .Select(t => t.Topic)
            .Where(t => filter?.Allows(t, excludeInternal) ?? !(excludeInternal && Broker.Topics.InternalTopics.IsInternal(t)))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The topics --alter/--delete act on: an error when none matches, unless --if-exists.</summary>
    private static List<string> Matched(AdminSession session, string name, TopicFilter filter, bool ifExists)
    {
        var matched = TopicNames(session, filter, false);
        if (matched.Count == 0 && !ifExists)
        {
            throw new ToolException($"topic '{name}' does not exist");
        }
        return matched;
    }

    private static async Task AlterAsync(AdminSession session, string name, int? partitions, List<KeyValuePair<string, string>> set, string[] remove)
    {
        if (partitions is not null)
        {
            var current = session.Topic(name).Partitions.Count;
            if (partitions <= current)
            {
                throw new ToolException($"the number of partitions can only be increased: topic '{name}' has {current}, asked for {partitions}");
            }
            try
            {
                await session.Admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = name, IncreaseTo = partitions.Value }],
                    new CreatePartitionsOptions { RequestTimeout = ToolTimeouts.Request });
            }
            catch (CreatePartitionsException e)
            {
                throw new ToolException($"cannot alter topic '{name}': {KafkaClients.Describe(e.Results[0].Error)}");
            }
            Console.WriteLine($"Altered topic {name}: {current} -> {partitions} partitions.");
        }
        if (set.Count > 0 || remove.Length > 0)
        {
            var entries = set.Select(kv => new ConfigEntry { Name = kv.Key, Value = kv.Value, IncrementalOperation = AlterConfigOpType.Set })
                .Concat(remove.Select(k => new ConfigEntry { Name = k.Trim(), IncrementalOperation = AlterConfigOpType.Delete }))
                .ToList();
            try
            {
                await session.Admin.IncrementalAlterConfigsAsync(
                    new Dictionary<ConfigResource, List<ConfigEntry>> { [new ConfigResource { Type = ResourceType.Topic, Name = name }] = entries },
                    new IncrementalAlterConfigsOptions { RequestTimeout = ToolTimeouts.Request });
            }
            catch (IncrementalAlterConfigsException e)
            {
                throw new ToolException($"cannot alter configs of topic '{name}': {KafkaClients.Describe(e.Results[0].Error)}");
            }
            Console.WriteLine($"Updated config for topic {name}.");
        }
    }

    private static async Task DeleteAsync(AdminSession session, string name)
    {
        try
        {
            await session.Admin.DeleteTopicsAsync([name], new DeleteTopicsOptions { RequestTimeout = ToolTimeouts.Request });
        }
        catch (DeleteTopicsException e)
        {
            throw new ToolException($"cannot delete topic '{name}': {KafkaClients.Describe(e.Results[0].Error)}");
        }
        Console.WriteLine($"Deleted topic {name}.");
    }
}
