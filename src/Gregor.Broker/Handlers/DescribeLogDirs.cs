using Gregor.Broker.Requests;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;
using Gregor.Storage;

namespace Gregor.Broker.Handlers;

/// <summary>
/// DescribeLogDirs, versions 0-4: every log dir (absolute path) with the partitions it holds —
/// all of them, or those of the requested topics and partitions — each with its size in bytes,
/// offset lag 0 (this broker leads every partition, so its log end is the log's own) and
/// is_future false (no AlterReplicaLogDirs); v4+ adds the volume's total and usable bytes.
/// A log dir whose volume cannot be read reports -1 for both, as Kafka's schema default. An
/// offline log dir (one that failed an I/O operation) has error KAFKA_STORAGE_ERROR and no
/// partitions, as Kafka reports it.
/// </summary>
public sealed class DescribeLogDirsHandler(LogManager logs) : RequestHandler<DescribeLogDirsRequest, DescribeLogDirsResponse>
{
    protected override ValueTask<DescribeLogDirsResponse?> HandleAsync(RequestContext context, DescribeLogDirsRequest request, CancellationToken cancellationToken)
    {
        HashSet<TopicPartition>? wanted = request.Topics?
            .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p)))
            .ToHashSet();
        var byDir = logs.AllLogs
            .Where(l => wanted is null || wanted.Contains(l.TopicPartition))
            .ToLookup(l => l.LogDir, StringComparer.Ordinal);
        var response = new DescribeLogDirsResponse();
        foreach (var dir in logs.LogDirs)
        {
            var result = new DescribeLogDirsResponse.DescribeLogDirsResult { LogDir = dir };
            response.Results.Add(result);
            if (logs.IsLogDirOffline(dir))
            {
                result.ErrorCode = (short)ErrorCode.KafkaStorageError;
                result.TotalBytes = -1;
                result.UsableBytes = -1;
                continue;
            }
            foreach (var topic in byDir[dir].GroupBy(l => l.TopicPartition.Topic).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                result.Topics.Add(new DescribeLogDirsResponse.DescribeLogDirsTopic
                {
                    Name = topic.Key,
                    Partitions = topic.OrderBy(l => l.TopicPartition.Partition).Select(l => new DescribeLogDirsResponse.DescribeLogDirsPartition
                    {
                        PartitionIndex = l.TopicPartition.Partition,
                        PartitionSize = l.Size,
                        OffsetLag = Math.Max(0, l.HighWatermark - l.LogEndOffset),
                        IsFutureKey = false,
                    }).ToList(),
                });
            }
            try
            {
                var drive = new DriveInfo(dir);
                result.TotalBytes = drive.TotalSize;
                result.UsableBytes = drive.AvailableFreeSpace;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                result.TotalBytes = -1;
                result.UsableBytes = -1;
            }
        }
        return ValueTask.FromResult<DescribeLogDirsResponse?>(response);
    }
}
