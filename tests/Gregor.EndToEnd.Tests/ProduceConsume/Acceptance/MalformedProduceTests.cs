using System.Buffers.Binary;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Records;
using Xunit.Abstractions;
using ErrorCode = Gregor.Protocol.Errors.ErrorCode;

namespace Gregor.EndToEnd.Tests.ProduceConsume.Acceptance;

/// <summary>
/// Acceptance 8: a corrupt CRC (CORRUPT_MESSAGE), a batch lying about its record count
/// (INVALID_RECORD, as Kafka's record iterator answers) and compression bombs inflating to 1 GiB in
/// each codec are refused; nothing is written (the high watermark does not move), the broker's peak
/// memory stays bounded, and the same connection answers the next request.
/// Kafka itself has no limit on the inflated size; Gregor stops inflating at its limit (64 MiB) and
/// answers MESSAGE_TOO_LARGE, the error on which producers that can (the Java client) split the batch.
/// </summary>
public sealed class MalformedProduceTests(ITestOutputHelper output)
{
    private const long MemoryBound = 512L << 20;

    private static byte[] GoodBatch(int records)
    {
        var builder = new RecordBatchBuilder();
        for (var i = 0; i < records; i++)
        {
            builder.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, "fine"u8.ToArray());
        }
        return builder.Build();
    }

    /// <summary>Sends <paramref name="bad"/>, expects <paramref name="expected"/>, then a good batch on the same connection lands at the unchanged end.</summary>
    private static async Task RefusedThenUsableAsync(RawConnection connection, BrokerProcess broker, string topic, byte[] bad, ErrorCode[] expected, int correlationId)
    {
        var before = Raw.HighWatermark(broker.BootstrapServers, topic);
        var refused = await Raw.ProduceAsync(connection, topic, bad, correlationId: correlationId);
        Assert.True(expected.Contains((ErrorCode)refused.ErrorCode), $"answered {(ErrorCode)refused.ErrorCode}: {refused.ErrorMessage}");
        Assert.Equal(before, Raw.HighWatermark(broker.BootstrapServers, topic));
        var next = await Raw.ProduceAsync(connection, topic, GoodBatch(1), correlationId: correlationId + 1);
        Assert.Equal(0, next.ErrorCode);
        Assert.Equal(before, next.BaseOffset);
    }

    [Fact]
    public async Task Corrupt_crc_and_lying_record_count_are_refused()
    {
        await using var broker = await BrokerProcess.StartAsync();
        await Raw.CreateTopicAsync(broker.Port, "malformed");
        using var connection = await RawConnection.ConnectAsync(broker.Port);

        var corrupt = GoodBatch(3);
        corrupt[^1] ^= 0x55;
        await RefusedThenUsableAsync(connection, broker, "malformed", corrupt, [ErrorCode.CorruptMessage], 10);

        foreach (var claimed in new[] { 2, 5 })
        {
            var lying = GoodBatch(3);
            BinaryPrimitives.WriteInt32BigEndian(lying.AsSpan(57), claimed);
            Bombs.SetCrc(lying);
            await RefusedThenUsableAsync(connection, broker, "malformed", lying, [ErrorCode.InvalidRecord], 20 + claimed * 2);
        }
    }

    [Theory]
    [InlineData(CompressionType.Zstd)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    public async Task A_compression_bomb_is_refused_with_bounded_memory(CompressionType codec)
    {
        var payload = Bombs.Payload(codec);
        // Room on the wire for the less compressible formats, so the bomb reaches decompression.
        await using var broker = await BrokerProcess.StartAsync(["message.max.bytes=67108864"]);
        await Raw.CreateTopicAsync(broker.Port, "bomb");
        using var connection = await RawConnection.ConnectAsync(broker.Port);
        Assert.Equal(0, (await Raw.ProduceAsync(connection, "bomb", GoodBatch(1), correlationId: 1)).ErrorCode);
        var baseline = broker.ReadProcStatusBytes("VmRSS");

        await RefusedThenUsableAsync(connection, broker, "bomb", Bombs.Batch(codec, payload), [ErrorCode.MessageTooLarge], 10);

        var peak = broker.ReadProcStatusBytes("VmHWM");
        output.WriteLine($"{codec}: {payload.Length} bytes compressed -> {Bombs.InflatedSize} inflated; broker RSS before {baseline >> 20} MiB, peak {peak >> 20} MiB");
        Assert.True(peak < MemoryBound, $"broker peak RSS {peak >> 20} MiB");
    }
}
