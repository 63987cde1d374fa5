using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Gregor.Tools;

/// <summary>ListOffsets for many partitions at once: earliest, latest or by timestamp (-1 when none).</summary>
public static class LogOffsets
{
    public static async Task<Dictionary<TopicPartition, long>> ListAsync(AdminSession session, IEnumerable<TopicPartition> partitions, OffsetSpec spec)
    {
        var requests = partitions.Distinct().Select(tp => new TopicPartitionOffsetSpec { TopicPartition = tp, OffsetSpec = spec }).ToList();
        if (requests.Count == 0)
        {
            return [];
        }
        try
        {
            var result = await session.Admin.ListOffsetsAsync(requests, new ListOffsetsOptions { RequestTimeout = ToolTimeouts.Request });
            return result.ResultInfos.ToDictionary(r => r.TopicPartitionOffsetError.TopicPartition, r => r.TopicPartitionOffsetError.Offset.Value);
        }
        catch (ListOffsetsException e)
        {
            var failed = e.Result.ResultInfos.First(r => r.TopicPartitionOffsetError.Error.IsError).TopicPartitionOffsetError;
            throw new ToolException($"cannot list offsets of {failed.Topic}-{failed.Partition.Value}: {KafkaClients.Describe(failed.Error)}");
        }
    }
}
