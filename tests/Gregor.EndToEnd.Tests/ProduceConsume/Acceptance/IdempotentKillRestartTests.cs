using System.Collections.Concurrent;
using Confluent.Kafka;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.ProduceConsume.Acceptance;

/// <summary>
/// Acceptance 2: an idempotent librdkafka producer (acks=all) writes 50,000 records while the broker
/// is frozen (SIGSTOP), killed with SIGKILL and restarted on the same port and log dir three times;
/// afterwards each partition holds its records exactly once and in order.
/// </summary>
public sealed class IdempotentKillRestartTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Count = 50_000;
    private const int Partitions = 2;
    private const int ProducedWhileFrozen = 2_000;

    [Fact]
    public async Task Each_record_is_written_once_in_order_across_three_kills()
    {
        var logDir = Directory.CreateTempSubdirectory("gregor-idem-kill-").FullName;
        var broker = await BrokerProcess.StartAsync(logDir: logDir);
        try
        {
            var port = broker.Port;
            const string topic = "idem-kill";
            await Raw.CreateTopicAsync(port, topic, Partitions);
            var errors = new ConcurrentQueue<string>();
            var delivered = 0;
            var unacknowledgedAtKills = new List<int>();
            var frozenAt = 0;
            using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig
            {
                BootstrapServers = broker.BootstrapServers,
                EnableIdempotence = true,
                Acks = Acks.All,
                LingerMs = 5,
                // Small batches: acknowledgements arrive a few hundred records at a time, so the
                // kills below find thousands of records produced but not yet acknowledged.
                BatchNumMessages = 500,
                MessageTimeoutMs = 180_000,
                RetryBackoffMs = 100,
                ReconnectBackoffMs = 50,
                ReconnectBackoffMaxMs = 500,
            }).Build())
            {
                for (var i = 0; i < Count; i++)
                {
                    producer.Produce(new TopicPartition(topic, i % Partitions), new Message<Null, string> { Value = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }, report =>
                    {
                        if (report.Error.IsError)
                        {
                            errors.Enqueue(report.Error.ToString());
                        }
                        Interlocked.Increment(ref delivered);
                    });
                    if (i > 0 && i % (Count / 4) == 0)
                    {
                        // Mid-run: as soon as all but the last 4,000 are acknowledged, freeze the
                        // broker where it stands (SIGSTOP; the SIGKILL below loses exactly what a
                        // SIGKILL at this instant would). The records produced while it is frozen
                        // cannot be acknowledged, so every kill interrupts the run however slowly
                        // this thread was scheduled.
                        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref delivered) >= i - 4000, TimeSpan.FromSeconds(60)));
                        broker.Signal("STOP");
                        frozenAt = i;
                        output.WriteLine($"froze broker {broker.ProcessId} at {i + 1} produced, {Volatile.Read(ref delivered)} acknowledged");
                    }
                    if (frozenAt > 0 && i == frozenAt + ProducedWhileFrozen)
                    {
                        unacknowledgedAtKills.Add(i + 1 - Volatile.Read(ref delivered));
                        output.WriteLine($"killing broker {broker.ProcessId} at {i + 1} produced, {Volatile.Read(ref delivered)} acknowledged");
                        await broker.KillAsync();
                        await broker.DisposeAsync();
                        broker = await BrokerProcess.StartAsync([$"listeners=PLAINTEXT://127.0.0.1:{port}"], logDir);
                        Assert.Equal(port, broker.Port);
                        frozenAt = 0;
                    }
                }
                Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(180)));
                Delivery.WaitForReports(() => Volatile.Read(ref delivered), Count);
            }
            Assert.Empty(errors);
            output.WriteLine($"records produced but not acknowledged at the kills: {string.Join(", ", unacknowledgedAtKills)}");
            // The kills did interrupt the run: records produced while the broker was frozen were
            // still unacknowledged when it was killed.
            Assert.Equal(3, unacknowledgedAtKills.Count);
            Assert.All(unacknowledgedAtKills, n => Assert.True(n > 0, $"unacknowledged at the kills: {string.Join(", ", unacknowledgedAtKills)}"));

            using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig { BootstrapServers = broker.BootstrapServers, GroupId = "idem-kill", EnableAutoCommit = false }).Build();
            consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
            var next = Enumerable.Range(0, Partitions).ToArray();
            var seen = 0;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (seen < Count && DateTime.UtcNow < deadline)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
                if (result is null)
                {
                    continue;
                }
                var p = result.Partition.Value;
                Assert.Equal(next[p].ToString(System.Globalization.CultureInfo.InvariantCulture), result.Message.Value);
                next[p] += Partitions;
                seen++;
            }
            Assert.Equal(Count, seen);
            // Nothing beyond the 50,000: no duplicate was appended at the end either.
            for (var p = 0; p < Partitions; p++)
            {
                Assert.Equal(Count / Partitions, Raw.HighWatermark(broker.BootstrapServers, topic, p));
            }
        }
        finally
        {
            await broker.DisposeAsync();
            Directory.Delete(logDir, recursive: true);
        }
    }
}
