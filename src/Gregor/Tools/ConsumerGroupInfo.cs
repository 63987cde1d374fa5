using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Gregor.Tools;

/// <summary>
/// What the admin API tells about one consumer group: its description (state, coordinator,
/// members and their assignments) and its committed offsets. Null description: the group does
/// not exist.
/// </summary>
public sealed record ConsumerGroupInfo(string GroupId, ConsumerGroupDescription? Description, IReadOnlyList<TopicPartitionOffset> Committed)
{
    public bool Exists => Description is { State: not ConsumerGroupState.Dead } || Committed.Count > 0;

    public bool HasActiveMembers => Description is { Members.Count: > 0 };

    public static async Task<ConsumerGroupInfo> LoadAsync(AdminSession session, string group)
    {
        ConsumerGroupDescription? description = null;
        try
        {
            var described = await session.Admin.DescribeConsumerGroupsAsync([group],
                new DescribeConsumerGroupsOptions { RequestTimeout = ToolTimeouts.Request });
            description = described.ConsumerGroupDescriptions.FirstOrDefault();
        }
        catch (DescribeConsumerGroupsException e)
        {
            var error = e.Results.ConsumerGroupDescriptions.Select(d => d.Error).FirstOrDefault(r => r.IsError) ?? e.Error;
            if (error.Code != ErrorCode.GroupIdNotFound)
            {
                throw new ToolException($"cannot describe group '{group}': {KafkaClients.Describe(error)}");
            }
        }
        var offsets = await session.Admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, null)],
            new ListConsumerGroupOffsetsOptions { RequestTimeout = ToolTimeouts.Request });
        var committed = offsets.SelectMany(o => o.Partitions)
            .Where(p => !p.Error.IsError && p.Offset.Value >= 0)
            .Select(p => p.TopicPartitionOffset)
            .ToList();
        return new ConsumerGroupInfo(group, description, committed);
    }

    /// <summary>Each assigned partition's member, for the describe table.</summary>
    public Dictionary<TopicPartition, MemberDescription> Owners() =>
        (Description?.Members ?? [])
            .SelectMany(m => (m.Assignment?.TopicPartitions ?? []).Select(tp => (tp, m)))
            .GroupBy(x => x.tp)
            .ToDictionary(g => g.Key, g => g.First().m);
}
