using System.Buffers;
using System.Text;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;
using Gregor.Protocol.Records;
using ErrorCode = Gregor.Protocol.Errors.ErrorCode;

namespace Gregor.EndToEnd.Tests.ProduceConsume.Acceptance;

/// <summary>
/// A batch refused because of particular records is answered as Kafka answers it (Produce v8+):
/// the partition's error code, record_errors naming each record at fault by its index in the batch
/// with a message, and error_message summarising them. Nothing is written: the high watermark does
/// not move, and a good batch on the same connection lands where the refused one would have.
/// A corrupt batch (CRC) is the batch's fault and names no record.
/// </summary>
public sealed class RecordErrorsTests
{
    private static readonly long Day = (long)TimeSpan.FromDays(1).TotalMilliseconds;

    private static byte[] Batch(int count, Func<int, long> timestamp, Func<int, byte[]?> key)
    {
        var builder = new RecordBatchBuilder();
        for (var i = 0; i < count; i++)
        {
            builder.Append(timestamp(i), key(i), Encoding.UTF8.GetBytes($"value-{i}"));
        }
        return builder.Build();
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static byte[] Key(int i) => Encoding.UTF8.GetBytes($"key-{i}");

    private static async Task<ProduceResponse.PartitionProduceResponse> RefusedAsync(BrokerProcess broker, RawConnection connection, string topic, byte[] batch, int correlationId)
    {
        var before = Raw.HighWatermark(broker.BootstrapServers, topic);
        var refused = await Raw.ProduceAsync(connection, topic, batch, correlationId: correlationId);
        Assert.Equal(-1, refused.BaseOffset);
        Assert.Equal(before, Raw.HighWatermark(broker.BootstrapServers, topic));
        var next = await Raw.ProduceAsync(connection, topic, Batch(2, _ => Now, Key), correlationId: correlationId + 1);
        Assert.Equal(0, next.ErrorCode);
        Assert.Equal(before, next.BaseOffset);
        return refused;
    }

    [Fact]
    public async Task A_record_with_a_timestamp_too_old_is_named_by_its_batch_index()
    {
        await using var broker = await BrokerProcess.StartAsync();
        // The older key (difference.max.ms) and the newer one (before.max.ms) bound the past alike.
        await Raw.CreateTopicAsync(broker.Port, "too-old-difference", configs: new() { ["message.timestamp.difference.max.ms"] = "3600000" });
        await Raw.CreateTopicAsync(broker.Port, "too-old-before", configs: new() { ["message.timestamp.before.max.ms"] = "3600000" });
        using var connection = await RawConnection.ConnectAsync(broker.Port);

        var correlationId = 10;
        foreach (var topic in new[] { "too-old-difference", "too-old-before" })
        {
            var old = Now - Day;
            var batch = Batch(5, i => i == 2 ? old : Now, Key);

            var refused = await RefusedAsync(broker, connection, topic, batch, correlationId);
            correlationId += 2;

            Assert.Equal(ErrorCode.InvalidTimestamp, (ErrorCode)refused.ErrorCode);
            var recordError = Assert.Single(refused.RecordErrors);
            Assert.Equal(2, recordError.BatchIndex);
            Assert.StartsWith($"Timestamp {old} of message with offset 2 is out of range: it must be within [", recordError.BatchIndexErrorMessage);
            Assert.StartsWith("One or more records have been rejected due to invalid timestamp: batch index 2: Timestamp", refused.ErrorMessage);
        }
    }

    [Fact]
    public async Task A_record_without_a_key_on_a_compacted_topic_is_named_by_its_batch_index()
    {
        await using var broker = await BrokerProcess.StartAsync();
        await Raw.CreateTopicAsync(broker.Port, "compacted", configs: new() { ["cleanup.policy"] = "compact" });
        using var connection = await RawConnection.ConnectAsync(broker.Port);
        Assert.Equal(0, (await Raw.ProduceAsync(connection, "compacted", Batch(3, _ => Now, Key), correlationId: 1)).ErrorCode);

        var refused = await RefusedAsync(broker, connection, "compacted", Batch(4, _ => Now, i => i == 1 ? null : Key(i)), 10);

        Assert.Equal(ErrorCode.InvalidRecord, (ErrorCode)refused.ErrorCode);
        var recordError = Assert.Single(refused.RecordErrors);
        Assert.Equal(1, recordError.BatchIndex);
        Assert.Equal("Compacted topic cannot accept message without key", recordError.BatchIndexErrorMessage);
        Assert.Equal("One or more records have been rejected due to 1 record error: batch index 1: Compacted topic cannot accept message without key", refused.ErrorMessage);

        // A CRC mismatch is the batch's fault: CORRUPT_MESSAGE names no record, as in Kafka.
        var corrupt = Batch(3, _ => Now, i => i == 1 ? null : Key(i));
        corrupt[^1] ^= 0x55;
        var corruptRefused = await RefusedAsync(broker, connection, "compacted", corrupt, 20);
        Assert.Equal(ErrorCode.CorruptMessage, (ErrorCode)corruptRefused.ErrorCode);
        Assert.Empty(corruptRefused.RecordErrors);

        // An old producer's message set (magic 1, Produce v2: no record_errors yet) is held to the same rule.
        var before = Raw.HighWatermark(broker.BootstrapServers, "compacted");
        var messages = new ArrayBufferWriter<byte>();
        LegacyMessage.Write(messages, 0, 1, 0, Now, Key(0), false, "value-0"u8, false);
        LegacyMessage.Write(messages, 1, 1, 0, Now, default, true, "value-1"u8, false);
        var legacy = await Raw.ProduceAsync(connection, "compacted", messages.WrittenSpan.ToArray(), correlationId: 30, version: 2);
        Assert.Equal(ErrorCode.InvalidRecord, (ErrorCode)legacy.ErrorCode);
        Assert.Equal(before, Raw.HighWatermark(broker.BootstrapServers, "compacted"));
    }
}
