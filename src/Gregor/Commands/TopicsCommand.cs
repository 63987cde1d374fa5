using System.CommandLine;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.Tools;

namespace Gregor.Commands;

/// <summary>
/// `gregor topics`, as kafka-topics.sh: exactly one of --create, --list, --describe, --alter,
/// --delete. Describe prints Kafka's layout — a topic line (TopicId, PartitionCount,
/// ReplicationFactor, non-default Configs) then one tab-indented line per partition.
/// </summary>
public static class TopicsCommand
{
    public static Command Create()
    {
        var cluster = new ClusterOptions();
        var create = new Option<bool>("--create") { Description = "Create a topic." };
        var list = new Option<bool>("--list") { Description = "List all topics." };
        var describe = new Option<bool>("--describe") { Description = "Describe one topic (--topic) or all." };
        var alter = new Option<bool>("--alter") { Description = "Increase a topic's partition count (--partitions)." };
        var delete = new Option<bool>("--delete") { Description = "Delete a topic." };
        var topic = new Option<string?>("--topic") { Description = "The topic's name." };
        var partitions = new Option<int?>("--partitions") { Description = "Partition count (create: default the broker's num.partitions)." };
        var replicationFactor = new Option<short?>("--replication-factor") { Description = "Replicas per partition (default the broker's default.replication.factor)." };
        var configs = new Option<string[]>("--config")
        {
            Description = "A topic config override KEY=VALUE for --create. Repeatable.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var ifNotExists = new Option<bool>("--if-not-exists") { Description = "With --create: succeed quietly if the topic exists." };
        var ifExists = new Option<bool>("--if-exists") { Description = "With --alter/--delete: succeed quietly if the topic does not exist." };
        var excludeInternal = new Option<bool>("--exclude-internal") { Description = "With --list/--describe: leave out internal topics." };
        var zookeeper = new Option<string?>("--zookeeper") { Description = "Work on the znodes of the ZooKeeper cluster HOST:PORT[/chroot] instead of --bootstrap-server." };
        var replicaAssignment = new Option<string?>("--replica-assignment") { Description = "With --zookeeper: replicas per partition, e.g. 1:2,2:3 (partition 0 on 1 and 2, …)." };

        var command = new Command("topics", "Create, list, describe, alter and delete topics, like kafka-topics.sh.")
        {
            create, list, describe, alter, delete, topic, partitions, replicationFactor, configs, ifNotExists, ifExists, excludeInternal,
            zookeeper, replicaAssignment,
        };
        cluster.AddTo(command);
        ToolAction.Set(command, async (parse, cancellationToken) =>
        {
            var actions = new[] { create, list, describe, alter, delete }.Where(o => parse.GetValue(o)).ToList();
            if (actions.Count != 1)
            {
                throw new ToolException("exactly one of --create, --list, --describe, --alter, --delete is required");
            }
            var name = parse.GetValue(topic);
            var action = actions[0];
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
            if (action == create)
            {
                return await CreateAsync(session, name!, parse.GetValue(partitions), parse.GetValue(replicationFactor),
                    ClientProperties.ParsePairs(parse.GetValue(configs) ?? [], "--config").ToDictionary(), parse.GetValue(ifNotExists));
            }
            if (action == list)
            {
                return List(session, skipInternal);
            }
            if (action == describe)
            {
                return await DescribeAsync(session, name, skipInternal);
            }
            if (action == alter)
            {
                return await AlterAsync(session, name!, parse.GetValue(partitions), parse.GetValue(ifExists));
            }
            return await DeleteAsync(session, name!, parse.GetValue(ifExists));
        });
        return command;
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

    private static int List(AdminSession session, bool excludeInternal)
    {
        foreach (var name in TopicNames(session, excludeInternal))
        {
            Console.WriteLine(name);
        }
        return 0;
    }

    private static IEnumerable<string> TopicNames(AdminSession session, bool excludeInternal) =>
        session.Metadata().Topics
            .Where(t => !t.Error.IsError)
            .Select(t => t.Topic)
            .Where(t => !excludeInternal || !t.StartsWith("__", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    private static async Task<int> DescribeAsync(AdminSession session, string? name, bool excludeInternal)
    {
        List<string> names;
        if (name is not null)
        {
            session.Topic(name);
            names = [name];
        }
        else
        {
            names = TopicNames(session, excludeInternal).ToList();
        }
        if (names.Count == 0)
        {
            return 0;
        }
        var described = await session.Admin.DescribeTopicsAsync(TopicCollection.OfTopicNames(names),
            new DescribeTopicsOptions { RequestTimeout = ToolTimeouts.Request });
        var configs = await NonDefaultConfigsAsync(session, names);
        foreach (var t in described.TopicDescriptions.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            var replication = t.Partitions.Count == 0 ? 0 : t.Partitions[0].Replicas.Count;
            var configText = configs.TryGetValue(t.Name, out var c) ? c : "";
            Console.WriteLine(TopicDescriptionText.TopicLine(t.Name, TopicIds.Format(t.TopicId), t.Partitions.Count, replication, configText));
            foreach (var p in t.Partitions.OrderBy(p => p.Partition))
            {
                Console.WriteLine(TopicDescriptionText.PartitionLine(t.Name, p.Partition, p.Leader?.Id, p.Replicas.Select(r => r.Id), p.ISR.Select(r => r.Id)));
            }
        }
        return 0;
    }

    /// <summary>
    /// "k=v,k=v" of each topic's configs that are not defaults, as kafka-topics.sh shows them.
    /// A cluster without DescribeConfigs still gets its topics described, with no configs.
    /// </summary>
    private static async Task<Dictionary<string, string>> NonDefaultConfigsAsync(AdminSession session, List<string> names)
    {
        try
        {
            var results = await session.Admin.DescribeConfigsAsync(
                names.Select(n => new ConfigResource { Type = ResourceType.Topic, Name = n }),
                new DescribeConfigsOptions { RequestTimeout = ToolTimeouts.Request });
            return results.ToDictionary(
                r => r.ConfigResource.Name,
                r => string.Join(',', r.Entries.Values.Where(e => !e.IsDefault).OrderBy(e => e.Name, StringComparer.Ordinal)
                    .Select(e => $"{e.Name}={(e.IsSensitive ? "<sensitive>" : e.Value)}")));
        }
        catch (KafkaException)
        {
            return [];
        }
    }

    private static async Task<int> AlterAsync(AdminSession session, string name, int? partitions, bool ifExists)
    {
        if (partitions is null)
        {
            throw new ToolException("--alter needs --partitions");
        }
        if (ifExists && !TopicNames(session, false).Contains(name))
        {
            return 0;
        }
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
        return 0;
    }

    private static async Task<int> DeleteAsync(AdminSession session, string name, bool ifExists)
    {
        if (ifExists && !TopicNames(session, false).Contains(name))
        {
            return 0;
        }
        session.Topic(name);
        try
        {
            await session.Admin.DeleteTopicsAsync([name], new DeleteTopicsOptions { RequestTimeout = ToolTimeouts.Request });
        }
        catch (DeleteTopicsException e)
        {
            throw new ToolException($"cannot delete topic '{name}': {KafkaClients.Describe(e.Results[0].Error)}");
        }
        Console.WriteLine($"Deleted topic {name}.");
        return 0;
    }
}
