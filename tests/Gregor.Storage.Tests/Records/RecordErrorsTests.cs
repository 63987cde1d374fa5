using System.Buffers.Binary;
using System.Text;
using Gregor.Protocol.Records;

namespace Gregor.Storage.Tests.Records;

/// <summary>
/// The validator names the records at fault (Produce's record_errors): a record without a key when
/// keys are required, a CreateTime timestamp outside the bounds, a misplaced offset delta or a
/// timestamp above maxTimestamp. Faults of the batch as a whole name no record.
/// </summary>
public class RecordErrorsTests
{
    private const long Now = 1_700_000_000_000;
    private const long Hour = 3_600_000;

    private static readonly BatchValidationOptions Bounded = new() { NowMs = Now, TimestampBeforeMaxMs = Hour, TimestampAfterMaxMs = Hour };

    private static readonly BatchValidationOptions Keyed = new() { RequireKeys = true };

    /// <summary>A batch with one record per timestamp, keyed "k{i}" unless <paramref name="keyless"/> names the index.</summary>
    private static byte[] Batch(long[] timestamps, params int[] keyless)
    {
        var builder = new RecordBatchBuilder();
        for (var i = 0; i < timestamps.Length; i++)
        {
            builder.Append(timestamps[i], keyless.Contains(i) ? null : Encoding.UTF8.GetBytes($"k{i}"), "v"u8.ToArray());
        }
        return builder.Build();
    }

    private static long[] Timestamps(int count) => [.. Enumerable.Repeat(Now, count)];

    [Fact]
    public void Records_outside_the_timestamp_bounds_are_named_by_index()
    {
        var timestamps = Timestamps(5);
        timestamps[2] = Now - 2 * Hour;
        timestamps[4] = Now + 2 * Hour;

        var error = RecordBatchValidator.Validate(Batch(timestamps), Bounded, out var message, out var recordErrors);

        Assert.Equal(RecordValidationError.InvalidTimestamp, error);
        Assert.NotNull(recordErrors);
        Assert.Equal([2, 4], recordErrors.Select(e => e.BatchIndex));
        Assert.Equal($"Timestamp {Now - 2 * Hour} of message with offset 2 is out of range: it must be within [{Now - Hour}, {Now + Hour}]", recordErrors[0].Message);
        Assert.Contains($"Timestamp {Now + 2 * Hour} of message with offset 4", recordErrors[1].Message);
        Assert.StartsWith("One or more records have been rejected due to invalid timestamp: batch index 2: Timestamp", message);
    }

    [Fact]
    public void Timestamps_on_the_bounds_and_records_without_a_timestamp_are_accepted()
    {
        long[] timestamps = [Now - Hour, Now + Hour, RecordBatch.NoTimestamp];
        Assert.Equal(RecordValidationError.None, RecordBatchValidator.Validate(Batch(timestamps), Bounded, out var message, out var recordErrors));
        Assert.Null(message);
        Assert.Null(recordErrors);
    }

    [Fact]
    public void Without_bounds_any_timestamp_is_accepted()
    {
        long[] timestamps = [0, long.MaxValue / 2];
        Assert.Equal(RecordValidationError.None, RecordBatchValidator.Validate(Batch(timestamps), BatchValidationOptions.Default, out _, out var recordErrors));
        Assert.Null(recordErrors);
    }

    [Fact]
    public void Keyless_records_are_named_when_keys_are_required()
    {
        var batch = Batch(Timestamps(4), 0, 3);

        Assert.Equal(RecordValidationError.InvalidRecord, RecordBatchValidator.Validate(batch, Keyed, out var message, out var recordErrors));
        Assert.NotNull(recordErrors);
        Assert.Equal([new RecordError(0, "Compacted topic cannot accept message without key"), new RecordError(3, "Compacted topic cannot accept message without key")], recordErrors);
        Assert.Equal("One or more records have been rejected due to 2 record errors: batch index 0: Compacted topic cannot accept message without key; " +
            "batch index 3: Compacted topic cannot accept message without key", message);

        Assert.Equal(RecordValidationError.None, RecordBatchValidator.Validate(batch, BatchValidationOptions.Default, out _, out recordErrors));
        Assert.Null(recordErrors);
    }

    [Fact]
    public void An_empty_key_is_a_key()
    {
        var builder = new RecordBatchBuilder();
        builder.Append(Now, [], "v"u8.ToArray());
        Assert.Equal(RecordValidationError.None, RecordBatchValidator.Validate(builder.Build(), Keyed, out _, out _));
    }

    [Fact]
    public void Compressed_records_are_named_too()
    {
        var builder = new RecordBatchBuilder(CompressionType.Zstd);
        for (var i = 0; i < 10; i++)
        {
            builder.Append(Now, i == 7 ? null : Encoding.UTF8.GetBytes($"k{i}"), "v"u8.ToArray());
        }
        Assert.Equal(RecordValidationError.InvalidRecord, RecordBatchValidator.Validate(builder.Build(), Keyed, out _, out var recordErrors));
        Assert.Equal([7], recordErrors!.Select(e => e.BatchIndex));
    }

    [Fact]
    public void A_timestamp_fault_wins_over_a_key_fault_and_both_are_listed()
    {
        var timestamps = Timestamps(3);
        timestamps[2] = Now - 2 * Hour;
        var options = Bounded with { RequireKeys = true };

        Assert.Equal(RecordValidationError.InvalidTimestamp, RecordBatchValidator.Validate(Batch(timestamps, 0), options, out _, out var recordErrors));
        Assert.NotNull(recordErrors);
        Assert.Equal([0, 2], recordErrors.Select(e => e.BatchIndex));
        Assert.StartsWith("Compacted topic", recordErrors[0].Message);
        Assert.StartsWith("Timestamp", recordErrors[1].Message);
    }

    [Fact]
    public void The_index_counts_the_records_of_earlier_batches()
    {
        var first = Batch(Timestamps(3));
        var second = Batch(Timestamps(3), 1);

        Assert.Equal(RecordValidationError.InvalidRecord, RecordBatchValidator.Validate([.. first, .. second], Keyed, out _, out var recordErrors));
        Assert.Equal([4], recordErrors!.Select(e => e.BatchIndex));
    }

    [Fact]
    public void The_summary_quotes_three_record_errors()
    {
        var batch = Batch(Timestamps(6), 0, 1, 2, 3, 4);
        RecordBatchValidator.Validate(batch, Keyed, out var message, out var recordErrors);
        Assert.Equal(5, recordErrors!.Count);
        Assert.StartsWith("One or more records have been rejected due to 5 record errors: batch index 0:", message);
        Assert.DoesNotContain("batch index 3", message);
        Assert.EndsWith("; and 2 more", message);
    }

    [Fact]
    public void A_misplaced_offset_delta_names_only_its_record()
    {
        var builder = new RecordBatchBuilder();
        foreach (var delta in new[] { 0, 1, 3, 4 })
        {
            builder.Append(Now, "k"u8.ToArray(), "v"u8.ToArray(), offsetDelta: delta);
        }
        // Four records claiming lastOffsetDelta 3: the count fits, record 2 carries delta 3 where 2 belongs, record 3 carries 4.
        var batch = builder.Build(lastOffsetDelta: 3);

        Assert.Equal(RecordValidationError.InvalidRecord, RecordBatchValidator.Validate(batch, BatchValidationOptions.Default, out _, out var recordErrors));
        Assert.Equal([new RecordError(2, "offset delta 3 where 2 was expected"), new RecordError(3, "offset delta 4 where 3 was expected")], recordErrors);
    }

    [Fact]
    public void A_timestamp_above_max_timestamp_names_its_record()
    {
        long[] timestamps = [Now, Now + 5, Now + 1];
        var batch = Batch(timestamps);
        BinaryPrimitives.WriteInt64BigEndian(batch.AsSpan(RecordBatch.MaxTimestampOffset), Now + 1);
        RecordBatch.WriteCrc(batch);

        Assert.Equal(RecordValidationError.InvalidRecord, RecordBatchValidator.Validate(batch, BatchValidationOptions.Default, out _, out var recordErrors));
        Assert.Equal([1], recordErrors!.Select(e => e.BatchIndex));
    }

    [Fact]
    public void Faults_of_the_batch_as_a_whole_name_no_record()
    {
        var keyless = Batch(Timestamps(3), 1);
        var corrupt = keyless.ToArray();
        corrupt[^1] ^= 0x40;
        Assert.Equal(RecordValidationError.CorruptMessage, RecordBatchValidator.Validate(corrupt, Keyed, out var message, out var recordErrors));
        Assert.Null(recordErrors);
        Assert.Contains("CRC", message);

        var lying = keyless.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(lying.AsSpan(RecordBatch.RecordsCountOffset), 2);
        RecordBatch.WriteCrc(lying);
        Assert.Equal(RecordValidationError.InvalidRecord, RecordBatchValidator.Validate(lying, Keyed, out _, out recordErrors));
        Assert.Null(recordErrors);
    }

    [Fact]
    public void Accepting_a_batch_with_every_policy_on_allocates_nothing()
    {
        var batch = Batch(Timestamps(100));
        var options = Bounded with { RequireKeys = true };
        Assert.Equal(RecordValidationError.None, RecordBatchValidator.Validate(batch, options, out _, out _));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = RecordBatchValidator.Validate(batch, options, out _, out _);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(RecordValidationError.None, error);
        Assert.Equal(0, allocated);
    }
}
