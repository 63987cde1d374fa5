using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Gregor.Tools;

/// <summary>
/// consumer-perf-test's records on librdkafka's C API (<see cref="RdKafka"/>): what is queued
/// is taken up to <see cref="MaxBatch"/> at a time with <c>rd_kafka_consume_batch_queue</c>
/// (timeout 0, which never waits), and only an empty queue waits, in
/// <c>rd_kafka_consumer_poll</c> (which returns at the first record, where the batch call would
/// wait out its whole timeout). Only the len and key_len fields of each message are read. In a
/// group the rebalance callback assigns what the group hands out (incrementally under the
/// cooperative protocol) and reports the first assignment; without one every partition is
/// assigned at once, from the offsets given.
/// </summary>
public sealed unsafe class NativeConsumerSource : IDisposable
{
    public const int MaxBatch = 1024;

    private readonly State _state;
    private readonly nint _client;
    private readonly nint _queue;
    private readonly nint* _batch;
    private bool _closed;

    /// <summary>Subscribes to <paramref name="topic"/> as a group member, or with <paramref name="offsets"/> assigns each partition from its offset.</summary>
    public NativeConsumerSource(Dictionary<string, string> config, string topic, long[]? offsets, ClientErrors errors, Action onAssigned)
    {
        var inGroup = offsets is null;
        _state = new State(errors, onAssigned);
        _client = RdKafka.NewClient(RdKafka.Consumer, config, _state,
            inGroup ? conf => RdKafka.ConfSetRebalanceCb(conf, &OnRebalance) : null);
        RdKafka.PollSetConsumer(_client);
        _queue = RdKafka.QueueGetConsumer(_client);
        _batch = (nint*)NativeMemory.Alloc((nuint)(MaxBatch * sizeof(nint)));
        var list = RdKafka.PartitionListNew(offsets?.Length ?? 1);
        int error;
        fixed (byte* name = RdKafka.Utf8(topic))
        {
            if (offsets is null)
            {
                RdKafka.PartitionListAdd(list, name, RdKafka.PartitionUnassigned);
                error = RdKafka.Subscribe(_client, list);
            }
            else
            {
                for (var p = 0; p < offsets.Length; p++)
                {
                    *(long*)(RdKafka.PartitionListAdd(list, name, p) + RdKafka.TopicPartitionOffset) = offsets[p];
                }
                error = RdKafka.Assign(_client, list);
            }
        }
        RdKafka.PartitionListDestroy(list);
        if (error != 0)
        {
            Dispose();
            throw new ToolException($"cannot consume {topic}: {KafkaClients.Describe(new Error((ErrorCode)error))}");
        }
    }

    /// <summary>
    /// Takes up to <paramref name="max"/> records, waiting up to <paramref name="timeoutMs"/>
    /// only when none is queued; returns how many and adds their key and value bytes to
    /// <paramref name="bytes"/>. Error events (not records) go to the client's errors.
    /// </summary>
    public int Take(long max, int timeoutMs, ref long bytes)
    {
        var count = (int)RdKafka.ConsumeBatchQueue(_queue, 0, _batch, (nuint)Math.Min(max, MaxBatch));
        if (count <= 0)
        {
            var one = RdKafka.ConsumerPoll(_client, timeoutMs);
            if (one == 0)
            {
                return 0;
            }
            _batch[0] = one;
            count = 1;
        }
        var records = 0;
        for (var i = 0; i < count; i++)
        {
            var m = (byte*)_batch[i];
            var error = *(int*)m;
            if (error == 0)
            {
                records++;
                bytes += (long)(*(nuint*)(m + RdKafka.MessageLen) + *(nuint*)(m + RdKafka.MessageKeyLen));
            }
            else if (error != RdKafka.ErrPartitionEof)
            {
                _state.Errors.Record(new Error((ErrorCode)error));
            }
            RdKafka.MessageDestroy((nint)m);
        }
        return records;
    }

    /// <summary>Leaves the group (committing as configured).</summary>
    public void Close()
    {
        if (!_closed)
        {
            _closed = true;
            RdKafka.ConsumerClose(_client);
        }
    }

    public void Dispose()
    {
        if (_client != 0)
        {
            Close();
            RdKafka.QueueDestroy(_queue);
            RdKafka.Destroy(_client);
            _state.Dispose();
            NativeMemory.Free(_batch);
        }
    }

    [UnmanagedCallersOnly]
    private static void OnRebalance(nint client, int error, nint partitions, nint opaque)
    {
        try
        {
            var cooperative = Marshal.PtrToStringUTF8((nint)RdKafka.RebalanceProtocol(client)) == "COOPERATIVE";
            if (error == RdKafka.ErrAssignPartitions)
            {
                if (cooperative)
                {
                    RdKafka.ErrorDestroy(RdKafka.IncrementalAssign(client, partitions));
                }
                else
                {
                    RdKafka.Assign(client, partitions);
                }
                (RdKafka.ClientState.From(opaque) as State)?.OnAssigned();
            }
            else if (cooperative)
            {
                RdKafka.ErrorDestroy(RdKafka.IncrementalUnassign(client, partitions));
            }
            else
            {
                RdKafka.Assign(client, 0);
            }
        }
        catch (Exception)
        {
            // An exception may not leave a native callback.
        }
    }

    private sealed class State(ClientErrors errors, Action onAssigned) : RdKafka.ClientState(errors)
    {
        public Action OnAssigned { get; } = onAssigned;
    }
}
