using System.Globalization;
using Gregor.Broker.Cluster;
using Gregor.Broker.Cluster.ZooKeeper;
using Gregor.Broker.Config;
using Gregor.Broker.Topics;
using Gregor.Protocol.Wire;
using Gregor.Storage;

namespace Gregor.Tools;

/// <summary>One `gregor topics --zookeeper` invocation: the action (the option's name, "--create" …) and its arguments.</summary>
public sealed record ZooKeeperTopicsRequest(
    string Action,
    string? Topic,
    int? Partitions,
    short? ReplicationFactor,
    string? ReplicaAssignment,
    IReadOnlyDictionary<string, string> Configs,
    bool IfNotExists,
    bool IfExists,
    bool ExcludeInternal);

/// <summary>
/// `gregor topics --zookeeper`, as kafka-topics.sh worked through ZooKeeper before Kafka 3.0: the tool writes the znodes
/// and the controller acts on them. Create writes /config/topics/&lt;t&gt; and /brokers/topics/&lt;t&gt; (fresh topic id,
/// replicas from Kafka's assignment over the brokers under /brokers/ids, or --replica-assignment); alter adds
/// partitions to the assignment znode; delete creates /admin/delete_topics/&lt;t&gt;; list and describe read the
/// assignment, partition state and config znodes. Describe prints the --bootstrap-server layout
/// (<see cref="TopicDescriptionText"/>), with Kafka's "MarkedForDeletion: true" on a topic queued for deletion.
/// </summary>
public static class ZooKeeperTopics
{
    private const string MarkedForDeletion = "\tMarkedForDeletion: true";

    public static async Task<int> RunAsync(string connectString, ZooKeeperTopicsRequest request, CancellationToken cancellationToken)
    {
        using var logging = ZooKeeperConnection.StderrLogging();
        var logger = logging.CreateLogger("zookeeper");
        await using var zk = await ZooKeeperConnection.ConnectAsync(connectString, logger, cancellationToken);
        var store = new ZooKeeperClusterStore(zk, logger, TimeProvider.System);
        if (request.Action is "--create" or "--delete")
        {
            // Kafka's tool creates the parents of what it writes: the cluster's brokers may not have run yet.
            await store.EnsureBasePathsAsync(cancellationToken);
        }
        return request.Action switch
        {
            "--create" => await CreateAsync(store, request, cancellationToken),
            "--list" => await ListAsync(store, request, cancellationToken),
            "--describe" => await DescribeAsync(store, request, cancellationToken),
            "--alter" => await AlterAsync(store, request, cancellationToken),
            _ => await DeleteAsync(store, request, cancellationToken),
        };
    }

    private static async Task<int> CreateAsync(ZooKeeperClusterStore store, ZooKeeperTopicsRequest request, CancellationToken cancellationToken)
    {
        var topic = request.Topic!;
        if (TopicNames.Validate(topic) is { } invalid)
        {
            throw new ToolException(invalid);
        }
        try
        {
            TopicConfigDefinitions.Validate(request.Configs);
        }
        catch (ConfigException e)
        {
            throw new ToolException(e.Message);
        }
        IReadOnlyDictionary<int, IReadOnlyList<int>> replicas;
        if (request.ReplicaAssignment is { } given)
        {
            if (request.Partitions is not null || request.ReplicationFactor is not null)
            {
                throw new ToolException("--replica-assignment cannot be used with --partitions or --replication-factor");
            }
            replicas = ParseReplicaAssignment(given);
        }
        else
        {
            if (request.Partitions is not { } partitions || request.ReplicationFactor is not { } replicationFactor)
            {
                throw new ToolException("--create through --zookeeper needs --partitions and --replication-factor, or --replica-assignment");
            }
            var brokers = await store.GetBrokersAsync(cancellationToken: cancellationToken);
            replicas = Assign(brokers, partitions, replicationFactor, startPartitionId: 0, fixedStartIndex: -1);
        }
        var existing = await store.GetTopicNamesAsync(cancellationToken: cancellationToken);
        if (!existing.Contains(topic, StringComparer.Ordinal)
            && existing.FirstOrDefault(t => TopicNames.CollisionKey(t) == TopicNames.CollisionKey(topic)) is { } collision)
        {
            throw new ToolException($"Topic '{topic}' collides with existing topics: {collision}");
        }
        var assignment = new TopicAssignment(Uuid.NewRandom(), replicas.ToDictionary(p => p.Key, p => new PartitionReplicas(p.Value)));
        if (!await store.CreateTopicAsync(topic, assignment, request.Configs, cancellationToken))
        {
            if (request.IfNotExists)
            {
                return 0;
            }
            throw new ToolException($"Topic '{topic}' already exists.");
        }
        Console.WriteLine($"Created topic {topic}.");
        return 0;
    }

    private static async Task<int> ListAsync(ZooKeeperClusterStore store, ZooKeeperTopicsRequest request, CancellationToken cancellationToken)
    {
        var marked = (await store.GetTopicsMarkedForDeletionAsync(cancellationToken: cancellationToken)).ToHashSet(StringComparer.Ordinal);
        foreach (var topic in await TopicNamesAsync(store, request.ExcludeInternal, cancellationToken))
        {
            Console.WriteLine(marked.Contains(topic) ? $"{topic} - marked for deletion" : topic);
        }
        return 0;
    }

    private static async Task<int> DescribeAsync(ZooKeeperClusterStore store, ZooKeeperTopicsRequest request, CancellationToken cancellationToken)
    {
        var names = await TopicNamesAsync(store, request.ExcludeInternal, cancellationToken);
        if (request.Topic is { } topic)
        {
            if (!names.Contains(topic, StringComparer.Ordinal) && !(await TopicNamesAsync(store, false, cancellationToken)).Contains(topic, StringComparer.Ordinal))
            {
                return request.IfExists ? 0 : throw new ToolException($"topic '{topic}' does not exist");
            }
            names = [topic];
        }
        var assignments = await store.GetTopicAssignmentsAsync(names, cancellationToken);
        var states = await store.GetPartitionStatesAsync(
            assignments.Values.SelectMany(a => a.Assignment.Partitions.Keys.Select(p => new TopicPartition(a.Topic, p))), cancellationToken);
        var marked = (await store.GetTopicsMarkedForDeletionAsync(cancellationToken: cancellationToken)).ToHashSet(StringComparer.Ordinal);
        foreach (var name in names.Where(assignments.ContainsKey))
        {
            var partitions = assignments[name].Assignment.Partitions.OrderBy(p => p.Key).ToList();
            var configs = await store.GetEntityConfigAsync(ConfigTypes.Topics, name, cancellationToken);
            var configText = string.Join(',', configs.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));
            var suffix = marked.Contains(name) ? MarkedForDeletion : "";
            var replication = partitions.Count == 0 ? 0 : partitions[0].Value.Replicas.Count;
            Console.WriteLine(TopicDescriptionText.TopicLine(name, assignments[name].Assignment.TopicId?.ToString(),
                partitions.Count, replication, configText) + suffix);
            foreach (var (partition, replicas) in partitions)
            {
                var state = states.GetValueOrDefault(new TopicPartition(name, partition))?.LeaderAndIsr;
                var leader = state is { Leader: >= 0 } ? state.Leader : (int?)null;
                Console.WriteLine(TopicDescriptionText.PartitionLine(name, partition, leader, replicas.Replicas, state?.Isr ?? []) + suffix);
            }
        }
        return 0;
    }

    private static async Task<int> AlterAsync(ZooKeeperClusterStore store, ZooKeeperTopicsRequest request, CancellationToken cancellationToken)
    {
        var topic = request.Topic!;
        if (request.Partitions is not { } wanted)
        {
            throw new ToolException("--alter needs --partitions");
        }
        var current = (await store.GetTopicAssignmentsAsync([topic], cancellationToken)).GetValueOrDefault(topic);
        if (current is null)
        {
            return request.IfExists ? 0 : throw new ToolException($"topic '{topic}' does not exist");
        }
        var existing = current.Assignment.Partitions;
        if (wanted <= existing.Count)
        {
            throw new ToolException($"The number of partitions for a topic can only be increased. Topic {topic} currently has {existing.Count} partitions, {wanted} would not be an increase.");
        }
        IReadOnlyDictionary<int, IReadOnlyList<int>> added;
        if (request.ReplicaAssignment is { } given)
        {
            var all = ParseReplicaAssignment(given);
            if (all.Count != wanted)
            {
                throw new ToolException($"--replica-assignment lists {all.Count} partitions, --partitions asks for {wanted}");
            }
            added = all.Where(p => p.Key >= existing.Count).ToDictionary(p => p.Key, p => p.Value);
        }
        else
        {
            // As Kafka's addPartitions: the walk starts where partition 0's first replica sits among the brokers, and
            // continues the partition ids after the existing ones.
            var brokers = await store.GetBrokersAsync(cancellationToken: cancellationToken);
            var partition0 = existing.GetValueOrDefault(0)?.Replicas ?? [];
            var ids = brokers.Select(b => b.Registration.BrokerId).Order().ToList();
            var startIndex = partition0.Count == 0 ? 0 : Math.Max(0, ids.FindIndex(id => id >= partition0[0]));
            added = Assign(brokers, wanted - existing.Count, Math.Max(1, partition0.Count), existing.Count, startIndex);
        }
        if (!await store.AddPartitionsAsync(topic, added, cancellationToken))
        {
            throw new ToolException($"topic '{topic}' was deleted or changed while adding partitions; try again");
        }
        Console.WriteLine($"Altered topic {topic}: {existing.Count} -> {wanted} partitions.");
        return 0;
    }

    private static async Task<int> DeleteAsync(ZooKeeperClusterStore store, ZooKeeperTopicsRequest request, CancellationToken cancellationToken)
    {
        var topic = request.Topic!;
        if (!(await store.GetTopicNamesAsync(cancellationToken: cancellationToken)).Contains(topic, StringComparer.Ordinal))
        {
            return request.IfExists ? 0 : throw new ToolException($"topic '{topic}' does not exist");
        }
        if (InternalTopics.IsInternal(topic))
        {
            throw new ToolException($"Topic {topic} is a kafka internal topic and is not allowed to be marked for deletion.");
        }
        if ((await store.GetTopicsMarkedForDeletionAsync(cancellationToken: cancellationToken)).Contains(topic, StringComparer.Ordinal))
        {
            Console.WriteLine($"Topic {topic} is already marked for deletion.");
            return 0;
        }
        await store.MarkTopicForDeletionAsync(topic, cancellationToken);
        Console.WriteLine($"Topic {topic} is marked for deletion.");
        Console.WriteLine("Note: This will have no impact if delete.topic.enable is not set to true.");
        return 0;
    }

    private static async Task<IReadOnlyList<string>> TopicNamesAsync(ZooKeeperClusterStore store, bool excludeInternal, CancellationToken cancellationToken) =>
        (await store.GetTopicNamesAsync(cancellationToken: cancellationToken))
            .Where(t => !excludeInternal || !InternalTopics.IsInternal(t))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static IReadOnlyDictionary<int, IReadOnlyList<int>> Assign(IReadOnlyList<RegisteredBroker> brokers, int partitions, int replicationFactor,
        int startPartitionId, int fixedStartIndex)
    {
        var result = ReplicaAssignment.Assign(brokers.Select(b => new BrokerRack(b.Registration.BrokerId, b.Registration.Rack)).ToList(),
            partitions, replicationFactor, Random.Shared, startPartitionId, fixedStartIndex);
        return result.Assignment ?? throw new ToolException(result.ErrorMessage!);
    }

    /// <summary>
    /// kafka-topics.sh's --replica-assignment: partitions separated by ',' in partition order, each a ':'-separated list
    /// of broker ids (the first the preferred leader), e.g. "1:2,2:3,3:1". Every partition has as many replicas as the
    /// first, none twice.
    /// </summary>
    public static IReadOnlyDictionary<int, IReadOnlyList<int>> ParseReplicaAssignment(string text)
    {
        var result = new Dictionary<int, IReadOnlyList<int>>();
        var partitions = text.Split(',');
        for (var partition = 0; partition < partitions.Length; partition++)
        {
            var replicas = new List<int>();
            foreach (var id in partitions[partition].Split(':'))
            {
                if (!int.TryParse(id.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var broker))
                {
                    throw new ToolException($"--replica-assignment: '{partitions[partition]}' is not a ':'-separated list of broker ids");
                }
                replicas.Add(broker);
            }
            var duplicates = replicas.GroupBy(r => r).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            if (duplicates.Count > 0)
            {
                throw new ToolException($"Partition replica lists may not contain duplicate entries: {string.Join(',', duplicates)}");
            }
            if (partition > 0 && replicas.Count != result[0].Count)
            {
                throw new ToolException($"Partition {partition} has different replication factor: {string.Join(',', replicas)}");
            }
            result[partition] = replicas;
        }
        return result;
    }
}
