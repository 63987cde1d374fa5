using System.Diagnostics;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Gregor.Tools;

/// <summary>
/// producer-perf-test's send loop on librdkafka's C API (<see cref="RdKafka"/>): records go in
/// batches of up to <see cref="MaxBatch"/> through <c>rd_kafka_produce_batch</c>, all pointing at
/// one native payload (neither copied nor freed by librdkafka: it outlives the producer). Every
/// record's delivery report is counted in a native callback on this thread (during
/// rd_kafka_poll / rd_kafka_flush); a sampled record carries its send time (a Stopwatch
/// timestamp, never 0) as msg_opaque, the others 0.
/// </summary>
public static unsafe class NativeProducerLoop
{
    public const int MaxBatch = 10_000;

    /// <summary>Records handed to librdkafka, those it reported delivered, and the first failure's description.</summary>
    public sealed record Outcome(long Sent, long Delivered, string? FirstFailure);

    /// <summary>
    /// Sends up to <paramref name="numRecords"/> records of <paramref name="recordSize"/> bytes
    /// and waits for every delivery report; <paramref name="paced"/> is called after each batch
    /// with the records sent so far (it throttles). <paramref name="throughput"/> &gt; 0 shrinks
    /// the batches to about a millisecond's worth so the pace stays even.
    /// </summary>
    public static Outcome Run(Dictionary<string, string> config, string topic, long numRecords, int recordSize, double throughput,
        ProducerPerfStats stats, ClientErrors errors, Action<long> paced, CancellationToken stop)
    {
        using var state = new State(stats, errors);
        var payload = (byte*)NativeMemory.Alloc((nuint)Math.Max(recordSize, 1));
        for (var i = 0; i < recordSize; i++)
        {
            payload[i] = (byte)('A' + Random.Shared.Next(26));
        }
        var batchSize = throughput > 0 ? (int)Math.Clamp(throughput / 1000, 1, MaxBatch) : MaxBatch;
        var messages = (byte*)NativeMemory.AllocZeroed((nuint)(batchSize * RdKafka.MessageSize));
        var client = RdKafka.NewClient(RdKafka.Producer, config, state, conf => RdKafka.ConfSetDrMsgCb(conf, &OnDelivery));
        nint handle = 0;
        try
        {
            fixed (byte* name = RdKafka.Utf8(topic))
            {
                handle = RdKafka.TopicNew(client, name, 0);
            }
            if (handle == 0)
            {
                throw new ToolException($"cannot use topic {topic}: {errors.Last ?? "librdkafka refused it"}");
            }
            long sent = 0;
            while (sent < numRecords && !stop.IsCancellationRequested)
            {
                var count = (int)Math.Min(batchSize, numRecords - sent);
                for (var i = 0; i < count; i++)
                {
                    var m = messages + (i * RdKafka.MessageSize);
                    *(int*)m = 0;
                    *(byte**)(m + RdKafka.MessagePayload) = payload;
                    *(nuint*)(m + RdKafka.MessageLen) = (nuint)recordSize;
                    *(long*)(m + RdKafka.MessageOpaque) = stats.IsSampled(sent + i) ? Stopwatch.GetTimestamp() : 0;
                }
                Enqueue(client, handle, messages, count, state);
                sent += count;
                RdKafka.Poll(client, 0);
                if (stats.WindowDue)
                {
                    stats.Progress(state.Delivered + state.Failed);
                }
                paced(sent);
            }
            while (RdKafka.OutqLen(client) > 0)
            {
                RdKafka.Flush(client, 1000);
            }
            return new Outcome(sent, state.Delivered, state.FirstFailure);
        }
        finally
        {
            if (handle != 0)
            {
                RdKafka.TopicDestroy(handle);
            }
            RdKafka.Destroy(client);
            NativeMemory.Free(messages);
            NativeMemory.Free(payload);
        }
    }

    /// <summary>
    /// Hands <paramref name="count"/> messages to librdkafka. Those refused because its queue is
    /// full are moved to the front and retried once delivery reports have made room; those
    /// refused for any other reason count as failed.
    /// </summary>
    private static void Enqueue(nint client, nint topic, byte* messages, int count, State state)
    {
        while (count > 0 && RdKafka.ProduceBatch(topic, RdKafka.PartitionUnassigned, 0, messages, count) != count)
        {
            var retry = 0;
            for (var i = 0; i < count; i++)
            {
                var m = messages + (i * RdKafka.MessageSize);
                var error = *(int*)m;
                if (error == RdKafka.ErrQueueFull)
                {
                    *(int*)m = 0;
                    Buffer.MemoryCopy(m, messages + (retry++ * RdKafka.MessageSize), RdKafka.MessageSize, RdKafka.MessageSize);
                }
                else if (error != 0)
                {
                    state.Fail(error);
                }
            }
            count = retry;
            if (count > 0)
            {
                RdKafka.Poll(client, 10);
            }
        }
    }

    [UnmanagedCallersOnly]
    private static void OnDelivery(nint client, byte* message, nint opaque)
    {
        try
        {
            var state = (State)RdKafka.ClientState.From(opaque)!;
            var error = *(int*)message;
            if (error != 0)
            {
                state.Fail(error);
                return;
            }
            state.Delivered++;
            var sentAt = *(long*)(message + RdKafka.MessageOpaque);
            if (sentAt != 0)
            {
                state.Stats.Sample((int)Stopwatch.GetElapsedTime(sentAt).TotalMilliseconds);
            }
        }
        catch (Exception)
        {
            // An exception may not leave a native callback; the record then counts as not delivered.
        }
    }

    /// <summary>Counters touched only on the producing thread (delivery reports are served there).</summary>
    private sealed class State(ProducerPerfStats stats, ClientErrors errors) : RdKafka.ClientState(errors)
    {
        public ProducerPerfStats Stats { get; } = stats;

        public long Delivered;

        public long Failed;

        public string? FirstFailure { get; private set; }

        public void Fail(int error)
        {
            Failed++;
            FirstFailure ??= KafkaClients.Describe(new Error((ErrorCode)error));
        }
    }
}
