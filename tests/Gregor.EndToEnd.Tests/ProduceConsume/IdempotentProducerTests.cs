using Confluent.Kafka;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;
using Gregor.Protocol.Records;
using ErrorCode = Gregor.Protocol.Errors.ErrorCode;

namespace Gregor.EndToEnd.Tests.ProduceConsume;

/// <summary>
/// Idempotent producers: a retried batch is answered with its original offsets and written once,
/// also after a clean restart and after kill -9; gaps and stale epochs get Kafka's errors.
/// </summary>
public sealed class IdempotentProducerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static byte[] Batch(long producerId, short epoch, int baseSequence, int records)
    {
        var builder = new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = epoch, BaseSequence = baseSequence };
        for (var i = 0; i < records; i++)
        {
            builder.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, System.Text.Encoding.UTF8.GetBytes($"seq-{baseSequence + i}"));
        }
        return builder.Build();
    }

    private static async Task<ProduceResponse.PartitionProduceResponse> ProduceAsync(RawConnection connection, string topic, byte[] batch, int correlationId)
    {
        var request = new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 5000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = batch }] }],
        };
        await connection.SendAsync(request, 9, correlationId);
        var (_, response) = await connection.ReadResponseAsync<ProduceResponse>(9, Timeout);
        return response.Responses[0].PartitionResponses[0];
    }

    private static async Task<long> InitProducerIdAsync(RawConnection connection)
    {
        await connection.SendAsync(new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = 60000 }, 4, 1);
        var (_, response) = await connection.ReadResponseAsync<InitProducerIdResponse>(4, Timeout);
        Assert.Equal(0, response.ErrorCode);
        Assert.Equal(0, response.ProducerEpoch);
        return response.ProducerId;
    }

    private static async Task CreateTopicAsync(BrokerProcess broker, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        await admin.CreateTopicsAsync([new Confluent.Kafka.Admin.TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]);
    }

    [Fact]
    public async Task Retries_duplicates_gaps_and_stale_epochs()
    {
        await using var broker = await BrokerProcess.StartAsync();
        await CreateTopicAsync(broker, "idem");
        using var connection = await RawConnection.ConnectAsync(broker.Port);
        var producerId = await InitProducerIdAsync(connection);
        Assert.NotEqual(producerId, await InitProducerIdAsync(connection));

        var first = Batch(producerId, 0, 0, 3);
        var firstResponse = await ProduceAsync(connection, "idem", first.ToArray(), 10);
        Assert.Equal(0, firstResponse.ErrorCode);
        Assert.Equal(0, firstResponse.BaseOffset);
        var second = await ProduceAsync(connection, "idem", Batch(producerId, 0, 3, 2), 11);
        Assert.Equal(3, second.BaseOffset);

        // The first batch again (a retry): its original offset, nothing written.
        var retry = await ProduceAsync(connection, "idem", first, 12);
        Assert.Equal(0, retry.ErrorCode);
        Assert.Equal(0, retry.BaseOffset);

        var gap = await ProduceAsync(connection, "idem", Batch(producerId, 0, 10, 1), 13);
        Assert.Equal((short)ErrorCode.OutOfOrderSequenceNumber, gap.ErrorCode);

        var bumped = await ProduceAsync(connection, "idem", Batch(producerId, 1, 0, 1), 14);
        Assert.Equal(0, bumped.ErrorCode);
        Assert.Equal(5, bumped.BaseOffset);
        var stale = await ProduceAsync(connection, "idem", Batch(producerId, 0, 5, 1), 15);
        Assert.Equal((short)ErrorCode.InvalidProducerEpoch, stale.ErrorCode);

        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = "idem" }).Build();
        Assert.Equal(6, consumer.QueryWatermarkOffsets(new TopicPartition("idem", 0), Timeout).High.Value);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_retry_is_recognised_after_a_restart(bool kill)
    {
        var logDir = Directory.CreateTempSubdirectory("gregor-idem-").FullName;
        try
        {
            byte[] lastBatch;
            long producerId;
            await using (var broker = await BrokerProcess.StartAsync(logDir: logDir))
            {
                await CreateTopicAsync(broker, "idem-restart");
                using var connection = await RawConnection.ConnectAsync(broker.Port);
                producerId = await InitProducerIdAsync(connection);
                for (var i = 0; i < 4; i++)
                {
                    Assert.Equal(0, (await ProduceAsync(connection, "idem-restart", Batch(producerId, 0, i * 10, 10), 20 + i)).ErrorCode);
                }
                lastBatch = Batch(producerId, 0, 40, 10);
                Assert.Equal(40, (await ProduceAsync(connection, "idem-restart", lastBatch, 30)).BaseOffset);
                if (!kill)
                {
                    Assert.Equal(0, await broker.StopAsync(TimeSpan.FromSeconds(30)));
                }
            }
            await using (var broker = await BrokerProcess.StartAsync(logDir: logDir))
            {
                using var connection = await RawConnection.ConnectAsync(broker.Port);
                var retry = await ProduceAsync(connection, "idem-restart", lastBatch, 40);
                Assert.Equal(0, retry.ErrorCode);
                Assert.Equal(40, retry.BaseOffset);
                var next = await ProduceAsync(connection, "idem-restart", Batch(producerId, 0, 50, 1), 41);
                Assert.Equal(0, next.ErrorCode);
                Assert.Equal(50, next.BaseOffset);
                Assert.NotEqual(producerId, await InitProducerIdAsync(connection));
            }
        }
        finally
        {
            Directory.Delete(logDir, recursive: true);
        }
    }

    [Fact]
    public async Task Confluent_idempotent_producer_writes_each_record_once()
    {
        await using var broker = await BrokerProcess.StartAsync();
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, EnableIdempotence = true, LingerMs = 2 }).Build();
        for (var i = 0; i < 1000; i++)
        {
            producer.Produce("idem-confluent", new Message<Null, string> { Value = $"m{i}" });
        }
        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = "idem" }).Build();
        Assert.Equal(1000, consumer.QueryWatermarkOffsets(new TopicPartition("idem-confluent", 0), Timeout).High.Value);
    }
}
