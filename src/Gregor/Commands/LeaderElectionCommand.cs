using System.CommandLine;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.Tools;

namespace Gregor.Commands;

/// <summary>
/// `gregor leader-election`, as kafka-leader-election.sh: asks the controller (ElectLeaders) for a
/// preferred or unclean leader election of one partition (--topic with --partition), the
/// partitions of a JSON file (--path-to-json-file, <see cref="ElectionPartitions"/>) or every
/// partition (--all-topic-partitions), and prints Kafka's lines: the partitions elected, those
/// whose valid replica already leads, then one line per failed partition (exit code 1).
/// </summary>
public static class LeaderElectionCommand
{
    public static Command Create()
    {
        var cluster = new ClusterOptions("--admin.config");
        var electionType = new Option<string?>("--election-type")
        {
            Description = "preferred: elect each partition's preferred (first) replica where it is in the ISR and does not lead; " +
                "unclean: elect any live replica for the partitions without a leader. Required.",
        };
        var topic = new Option<string?>("--topic") { Description = "The topic of the partition to elect a leader for; needs --partition." };
        var partition = new Option<int?>("--partition") { Description = "With --topic: the partition to elect a leader for." };
        var all = new Option<bool>("--all-topic-partitions") { Description = "Elect leaders for every partition the election type applies to." };
        var jsonFile = new Option<string?>("--path-to-json-file")
        {
            Description = "A JSON file naming the partitions: {\"partitions\": [{\"topic\": \"foo\", \"partition\": 1}, ...]}.",
        };
        var command = new Command("leader-election", "Elect preferred or unclean leaders, like kafka-leader-election.sh.")
        {
            electionType, topic, partition, all, jsonFile,
        };
        cluster.AddTo(command);
        ToolAction.Set(command, async (parse, _) =>
        {
            // kafka-leader-election.sh's checks, in its order and words.
            var typeName = parse.GetValue(electionType) ?? throw new ToolException($"Missing required option(s): {electionType.Name}");
            var type = typeName.ToUpperInvariant() switch
            {
                "PREFERRED" => ElectionType.Preferred,
                "UNCLEAN" => ElectionType.Unclean,
                _ => throw new ToolException($"{electionType.Name} is preferred or unclean, not '{typeName}'"),
            };
            Option[] scopes = [topic, all, jsonFile];
            if (scopes.Count(o => parse.GetResult(o) is { Implicit: false }) != 1)
            {
                throw new ToolException($"One and only one of the following options is required: {string.Join(", ", scopes.Select(o => o.Name))}");
            }
            var name = parse.GetValue(topic);
            var number = parse.GetValue(partition);
            if (name is not null && number is null)
            {
                throw new ToolException($"Missing required option(s): {partition.Name}");
            }
            if (name is null && number is not null)
            {
                throw new ToolException($"Option {partition.Name} is only allowed if {topic.Name} is used");
            }
            List<TopicPartition>? partitions = parse.GetValue(jsonFile) is { } path ? ElectionPartitions.Read(path)
                : name is not null ? [new TopicPartition(name, number!.Value)]
                : null;

            using var session = AdminSession.Connect(cluster.Read(parse));
            return await ElectAsync(session, type, partitions);
        });
        return command;
    }

    /// <summary>Runs the election over <paramref name="partitions"/> (null: all) and prints its results; the exit code.</summary>
    private static async Task<int> ElectAsync(AdminSession session, ElectionType type, List<TopicPartition>? partitions)
    {
        List<TopicPartitionError> results;
        try
        {
            results = (await session.Admin.ElectLeadersAsync(type, partitions,
                new ElectLeadersOptions { RequestTimeout = ToolTimeouts.Request, OperationTimeout = ToolTimeouts.Request })).TopicPartitions;
        }
        catch (ElectLeadersException e) when (e.Results.TopicPartitions.Count > 0)
        {
            results = e.Results.TopicPartitions;
        }
        catch (KafkaException e)
        {
            throw new ToolException(Failure(e.Error));
        }
        var ordered = results.OrderBy(r => r.Topic, StringComparer.Ordinal).ThenBy(r => r.Partition.Value).ToList();
        var label = type == ElectionType.Preferred ? "PREFERRED" : "UNCLEAN";
        var elected = ordered.Where(r => !r.Error.IsError).ToList();
        var needless = ordered.Where(r => r.Error.Code == ErrorCode.ElectionNotNeeded).ToList();
        var failed = ordered.Where(r => r.Error.IsError && r.Error.Code != ErrorCode.ElectionNotNeeded).ToList();
        if (elected.Count > 0)
        {
            Console.WriteLine($"Successfully completed leader election ({label}) for partitions {string.Join(", ", elected.Select(Name))}");
        }
        if (needless.Count > 0)
        {
            Console.WriteLine($"Valid replica already elected for partitions {string.Join(", ", needless.Select(Name))}");
        }
        foreach (var r in failed)
        {
            Console.WriteLine($"Error completing leader election ({label}) for partition: {Name(r)}: {JavaErrors.Describe(r.Error)}");
        }
        if (failed.Count > 0)
        {
            throw new ToolException($"{failed.Count} replica(s) could not be elected");
        }
        return 0;
    }

    /// <summary>Kafka's TopicPartition.toString: topic-partition.</summary>
    private static string Name(TopicPartitionError r) => $"{r.Topic}-{r.Partition.Value}";

    /// <summary>A failure of the whole request, in Kafka's words where its tool has them.</summary>
    private static string Failure(Error error) => error.Code switch
    {
        ErrorCode.Local_TimedOut or ErrorCode.RequestTimedOut => "Timeout waiting for election results",
        ErrorCode.ClusterAuthorizationFailed => "Not authorized to perform leader election",
        // librdkafka refuses the call itself when the brokers do not advertise ElectLeaders (a
        // broker without a controller, one that is not part of a ZooKeeper cluster).
        ErrorCode.Local_UnsupportedFeature or ErrorCode.UnsupportedVersion =>
            "the cluster does not support leader election: its brokers do not offer the ElectLeaders API",
        _ => KafkaClients.Describe(error),
    };
}
