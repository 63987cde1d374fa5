using System.Runtime.CompilerServices;
using Gregor.Broker.Config;
using Gregor.Broker.Partitions;
using Gregor.Broker.Topics;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Records;
using Gregor.Storage;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Groups.Store;

/// <summary>
/// The group store on the internal, compacted topic __consumer_offsets, readable like Kafka's:
/// each record's key and value are Kafka's offset-commit / group-metadata schemas, written as one
/// uncompressed v2 batch per append. The topic is created on the first append with
/// <see cref="InternalTopics.ConsumerOffsetsTopic"/>'s settings, as Kafka creates it on first use.
/// An append completes once the batch is in the log (and flushed when the flush policy asks); it
/// throws <see cref="KafkaStorageException"/> when the partition's log dir is offline.
/// Reading skips, with an error line naming the offset, what does not decode into records (only
/// the broker appends here, but a log written by another version or by hand may hold anything).
/// </summary>
public sealed class LogGroupStore(TopicManager topics, ReplicaManager replicas, BrokerConfig config, ILogger<LogGroupStore> logger) : IGroupStore
{
    public const string TopicName = InternalTopics.ConsumerOffsets;

    public async ValueTask AppendAsync(int partition, IReadOnlyList<GroupStoreRecord> records, CancellationToken cancellationToken)
    {
        await EnsureTopicAsync(cancellationToken).ConfigureAwait(false);
        var target = replicas.GetPartition(TopicName, partition)
            ?? throw new InvalidOperationException($"{TopicName}-{partition} does not exist");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var builder = new RecordBatchBuilder();
        foreach (var record in records)
        {
            builder.Append(now, record.Key, record.Value);
        }
        var result = await target.AppendAsync(builder.Build(), AppendOrigin.Coordinator).ConfigureAwait(false);
        if (result.Error == ErrorCode.KafkaStorageError)
        {
            throw new KafkaStorageException(target.LogDir, $"append to {TopicName}-{partition} failed: {result.ErrorMessage}");
        }
        if (result.Error != ErrorCode.None)
        {
            throw new IOException($"append to {TopicName}-{partition} failed with {result.Error.KafkaName()}: {result.ErrorMessage}");
        }
    }

    public async IAsyncEnumerable<GroupStoreRecord> ReadAsync(int partition, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var log = replicas.GetPartition(TopicName, partition);
        if (log is null)
        {
            yield break;
        }
        var records = new List<GroupStoreRecord>();
        log.ScanBatches(log.LogStartOffset, batch =>
        {
            if (RecordBatch.IsControl(batch))
            {
                return;
            }
            var baseOffset = RecordBatch.BaseOffset(batch);
            if (!DecodedRecords.TryDecode(batch, log.Config.MaxDecompressedBytes, out var decoded, out var error))
            {
                logger.LogError("Skipping the undecodable batch at offset {Offset} of {Partition}: {Error}", baseOffset, log.TopicPartition, error);
                return;
            }
            using (decoded)
            {
                var reader = new RecordReader(decoded.Span);
                while (!reader.IsAtEnd)
                {
                    if (!reader.TryRead(out var record, out error))
                    {
                        logger.LogError("Skipping the rest of the batch at offset {Offset} of {Partition}, a record is malformed: {Error}", baseOffset, log.TopicPartition, error);
                        break;
                    }
                    if (!record.KeyIsNull)
                    {
                        records.Add(new GroupStoreRecord(record.Key.ToArray(), record.ValueIsNull ? null : record.Value.ToArray(), baseOffset + record.OffsetDelta));
                    }
                }
            }
        });
        foreach (var record in records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return record;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>Creates __consumer_offsets when missing (also for FindCoordinator, as Kafka does).</summary>
    public async ValueTask EnsureTopicAsync(CancellationToken cancellationToken)
    {
        if (topics.Find(TopicName) is not null)
        {
            return;
        }
        await topics.CreateAsync(InternalTopics.ConsumerOffsetsTopic(config, topics.LiveBrokerCount), validateOnly: false, cancellationToken).ConfigureAwait(false);
    }
}
