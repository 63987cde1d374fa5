using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Records;
using ErrorCode = Gregor.Protocol.Errors.ErrorCode;

namespace Gregor.EndToEnd.Tests.ProduceConsume.Acceptance;

/// <summary>
/// Acceptance 4: message.max.bytes bounds the record batch size (the whole batch, offset and length
/// fields included, as in Kafka): a batch of exactly the limit is appended, one byte more is
/// MESSAGE_TOO_LARGE and writes nothing. The topic-level max.message.bytes overrides it.
/// </summary>
public sealed class MessageMaxBytesTests
{
    private const int Limit = 10_000;

    /// <summary>A single-record batch of exactly <paramref name="size"/> bytes.</summary>
    private static byte[] BatchOfSize(int size)
    {
        for (var value = size; value > 0; value--)
        {
            var builder = new RecordBatchBuilder();
            builder.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "k"u8.ToArray(), new byte[value]);
            var batch = builder.Build();
            if (batch.Length == size)
            {
                return batch;
            }
        }
        throw new InvalidOperationException($"no batch of {size} bytes");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_batch_at_the_limit_is_accepted_one_byte_over_is_message_too_large(bool topicLevel)
    {
        // Broker-wide limit, or a generous broker limit with the topic's max.message.bytes at the limit.
        await using var broker = await BrokerProcess.StartAsync([$"message.max.bytes={(topicLevel ? 1_000_000 : Limit)}"]);
        var topic = $"max-bytes-{topicLevel}".ToLowerInvariant();
        await Raw.CreateTopicAsync(broker.Port, topic, 1, topicLevel ? new() { ["max.message.bytes"] = $"{Limit}" } : null);
        using var connection = await RawConnection.ConnectAsync(broker.Port);

        var over = await Raw.ProduceAsync(connection, topic, BatchOfSize(Limit + 1));
        Assert.Equal((short)ErrorCode.MessageTooLarge, over.ErrorCode);
        Assert.Equal(0, Raw.HighWatermark(broker.BootstrapServers, topic));
        Assert.All(Directory.GetFiles(Path.Combine(broker.LogDir, $"{topic}-0"), "*.log"), f => Assert.Equal(0, new FileInfo(f).Length));

        var at = await Raw.ProduceAsync(connection, topic, BatchOfSize(Limit));
        Assert.Equal(0, at.ErrorCode);
        Assert.Equal(0, at.BaseOffset);
        Assert.Equal(1, Raw.HighWatermark(broker.BootstrapServers, topic));
    }
}
