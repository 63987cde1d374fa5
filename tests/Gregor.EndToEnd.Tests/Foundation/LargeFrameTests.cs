using System.Buffers.Binary;
using Confluent.Kafka;
using Gregor.EndToEnd.Tests.ProduceConsume.Acceptance;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;
using Gregor.Protocol.Records;

namespace Gregor.EndToEnd.Tests.Foundation;

/// <summary>
/// Frames larger than the connection's read buffer arrive over many socket reads: the broker
/// assembles them byte for byte however they are cut, answers what follows them in order, and
/// treats one cut short as a closed connection, not as a request.
/// </summary>
public sealed class LargeFrameTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private static byte[] ProduceFrame(string topic, byte[] batch, int correlationId) => RawConnection.BuildRequest(new ProduceRequest
    {
        Acks = -1,
        TimeoutMs = 5000,
        TopicData = [new ProduceRequest.TopicProduceData { Name = topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = batch }] }],
    }, version: 9, correlationId);

    [Fact]
    public async Task A_large_frame_sent_in_pieces_is_stored_exactly_and_the_next_frame_is_answered()
    {
        await using var broker = await BrokerProcess.StartAsync();
        await Raw.CreateTopicAsync(broker.Port, "large");
        var random = new Random(42);
        var values = Enumerable.Range(0, 300).Select(_ => { var v = new byte[random.Next(1, 6000)]; random.NextBytes(v); return v; }).ToArray();
        var builder = new RecordBatchBuilder();
        foreach (var value in values)
        {
            builder.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, value);
        }
        var produce = ProduceFrame("large", builder.Build(), correlationId: 1);
        Assert.InRange(produce.Length, 600_000, 1_000_000); // under message.max.bytes
        var apiVersions = RawConnection.BuildRequest(new ApiVersionsRequest(), version: 0, correlationId: 2);

        using var connection = await RawConnection.ConnectAsync(broker.Port);
        // Pieces: part of the size prefix, a few KiB, a pause, half a MiB, a pause, then the rest
        // together with the next request in one write.
        var cuts = new[] { 2, 3000, 500_000 };
        var at = 0;
        foreach (var cut in cuts)
        {
            await connection.SendRawAsync(produce[at..cut]);
            at = cut;
            await Task.Delay(100);
        }
        await connection.SendRawAsync([.. produce[at..], .. apiVersions]);

        var (produceId, produced) = await connection.ReadResponseAsync<ProduceResponse>(9, Timeout);
        Assert.Equal(1, produceId);
        var partition = produced.Responses[0].PartitionResponses[0];
        Assert.Equal(0, partition.ErrorCode);
        Assert.Equal(0, partition.BaseOffset);
        var (versionsId, versions) = await connection.ReadResponseAsync<ApiVersionsResponse>(0, Timeout);
        Assert.Equal(2, versionsId);
        Assert.Equal(0, versions.ErrorCode);

        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = "large" }).Build();
        consumer.Assign(new TopicPartitionOffset("large", 0, Offset.Beginning));
        foreach (var (value, index) in values.Select((v, i) => (v, i)))
        {
            var record = consumer.Consume(Timeout) ?? throw new TimeoutException($"record {index} not read back");
            Assert.Equal(index, record.Offset.Value);
            Assert.Equal(value, record.Message.Value);
        }
    }

    [Fact]
    public async Task A_large_frame_cut_short_by_a_close_is_logged_and_nothing_is_stored()
    {
        await using var broker = await BrokerProcess.StartAsync();
        await Raw.CreateTopicAsync(broker.Port, "cut");
        var builder = new RecordBatchBuilder();
        builder.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, new byte[300_000]);
        var produce = ProduceFrame("cut", builder.Build(), correlationId: 1);
        Assert.Equal(produce.Length - 4, BinaryPrimitives.ReadInt32BigEndian(produce));

        using (var connection = await RawConnection.ConnectAsync(broker.Port))
        {
            await connection.SendRawAsync(produce[..100_000]);
            await Task.Delay(200);
        }
        await broker.WaitForOutputAsync(@"connection closed in the middle of a frame \(100000 of \d+ bytes received\)", Timeout);
        Assert.Equal(0, Raw.HighWatermark(broker.BootstrapServers, "cut"));
        Assert.False(broker.HasExited);
    }
}
