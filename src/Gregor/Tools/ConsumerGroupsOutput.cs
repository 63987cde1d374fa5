using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Gregor.Tools;

/// <summary>
/// The read-only views of consumer-groups, in kafka-consumer-groups.sh's layouts:
/// offsets (GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID),
/// members (GROUP CONSUMER-ID HOST CLIENT-ID #PARTITIONS [ASSIGNMENT]) and
/// state (GROUP COORDINATOR (ID) ASSIGNMENT-STRATEGY STATE #MEMBERS). Unknown values print "-".
/// </summary>
public static class ConsumerGroupsOutput
{
    public enum View
    {
        Offsets,
        Members,
        State,
    }

    public static async Task<List<string>> GroupIdsAsync(AdminSession session) =>
        (await ListingsAsync(session)).Select(g => g.GroupId).ToList();

    public static async Task<int> ListAsync(AdminSession session, bool withState)
    {
        var listings = await ListingsAsync(session);
        if (withState)
        {
            var table = new TextTable("GROUP", "STATE");
            foreach (var g in listings)
            {
                table.Add(g.GroupId, g.State.ToString());
            }
            table.WriteTo(Console.Out);
        }
        else
        {
            foreach (var g in listings)
            {
                Console.WriteLine(g.GroupId);
            }
        }
        return 0;
    }

    /// <summary>
    /// The groups of every broker. Hazard: Confluent.Kafka 2.16 turns the per-broker errors of a
    /// ListConsumerGroups result into <c>Error</c>s with the constructor that destroys the native
    /// error, which the result event still owns and frees again — when any broker fails to answer,
    /// the heap is corrupted and the process crashes on exit (seen as a segfault after "error
    /// listing consumer groups"). <see cref="AdminSession.Connect"/> refuses clusters whose brokers
    /// cannot be reached, the usual cause, before this is called.
    /// </summary>
    private static async Task<List<ConsumerGroupListing>> ListingsAsync(AdminSession session)
    {
        var result = await session.Admin.ListConsumerGroupsAsync(new ListConsumerGroupsOptions { RequestTimeout = ToolTimeouts.Request });
        return result.Valid.OrderBy(g => g.GroupId, StringComparer.Ordinal).ToList();
    }

    public static async Task<int> DescribeAsync(AdminSession session, List<string> groups, View view, bool verbose)
    {
        var exitCode = 0;
        foreach (var group in groups)
        {
            var info = await ConsumerGroupInfo.LoadAsync(session, group);
            if (!info.Exists)
            {
                exitCode = ToolAction.Fail("consumer-groups", $"consumer group '{group}' does not exist");
                continue;
            }
            Console.WriteLine();
            if (view == View.State)
            {
                WriteState(info);
                continue;
            }
            if (!info.HasActiveMembers)
            {
                Console.WriteLine($"Consumer group '{group}' has no active members.");
                Console.WriteLine();
            }
            if (view == View.Members)
            {
                WriteMembers(info, verbose);
            }
            else
            {
                await WriteOffsetsAsync(session, info);
            }
        }
        return exitCode;
    }

    private static async Task WriteOffsetsAsync(AdminSession session, ConsumerGroupInfo info)
    {
        var owners = info.Owners();
        var committed = info.Committed.ToDictionary(c => c.TopicPartition, c => c.Offset.Value);
        var partitions = owners.Keys.Union(committed.Keys).ToList();
        var logEnd = await LogOffsets.ListAsync(session, partitions, OffsetSpec.Latest());
        var table = new TextTable("GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID");
        foreach (var tp in partitions.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition.Value))
        {
            var hasCurrent = committed.TryGetValue(tp, out var current);
            var hasEnd = logEnd.TryGetValue(tp, out var end) && end >= 0;
            owners.TryGetValue(tp, out var member);
            table.Add(info.GroupId, tp.Topic, Text(tp.Partition.Value),
                hasCurrent ? Text(current) : "-", hasEnd ? Text(end) : "-", hasCurrent && hasEnd ? Text(end - current) : "-",
                member?.ConsumerId ?? "-", member?.Host ?? "-", member?.ClientId ?? "-");
        }
        table.WriteTo(Console.Out);
    }

    private static void WriteMembers(ConsumerGroupInfo info, bool verbose)
    {
        var table = verbose
            ? new TextTable("GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS", "ASSIGNMENT")
            : new TextTable("GROUP", "CONSUMER-ID", "HOST", "CLIENT-ID", "#PARTITIONS");
        foreach (var m in info.Description?.Members ?? [])
        {
            var assigned = m.Assignment?.TopicPartitions ?? [];
            var cells = new List<string> { info.GroupId, m.ConsumerId, m.Host, m.ClientId, Text(assigned.Count) };
            if (verbose)
            {
                cells.Add(assigned.Count == 0 ? "-" : string.Join(",", assigned.GroupBy(tp => tp.Topic)
                    .Select(g => $"{g.Key}({string.Join(',', g.Select(tp => tp.Partition.Value).Order())})")));
            }
            table.Add([.. cells]);
        }
        table.WriteTo(Console.Out);
    }

    private static void WriteState(ConsumerGroupInfo info)
    {
        var d = info.Description;
        var table = new TextTable("GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS");
        table.Add(info.GroupId,
            d?.Coordinator is { } c ? $"{c.Host}:{c.Port} ({c.Id})" : "-",
            string.IsNullOrEmpty(d?.PartitionAssignor) ? "-" : d.PartitionAssignor,
            d?.State.ToString() ?? "Empty",
            Text(d?.Members.Count ?? 0));
        table.WriteTo(Console.Out);
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
