using System.Runtime.InteropServices;
using System.Text;
using Confluent.Kafka;

namespace Gregor.Tools;

/// <summary>
/// The few functions of librdkafka's C API that the perf tools' hot loops call directly, bound
/// by function pointer to the library <see cref="BundledLibrdkafka"/> loaded (the one
/// Confluent.Kafka uses, so both agree on version and settings). Confluent.Kafka offers one
/// record per call with several managed objects each; this offers batches
/// (<c>rd_kafka_produce_batch</c>, <c>rd_kafka_consume_batch_queue</c>) and raw messages.
/// Layout of <c>rd_kafka_message_t</c> on 64-bit platforms: err (int32) at 0, rkt at 8,
/// partition (int32) at 16, payload at 24, len at 32, key at 40, key_len at 48, offset (int64)
/// at 56, _private (the producer's msg_opaque) at 64; 72 bytes. <c>rd_kafka_topic_partition_t</c>
/// starts with topic at 0, partition (int32) at 8, offset (int64) at 16.
/// </summary>
public static unsafe class RdKafka
{
    public const int Producer = 0;
    public const int Consumer = 1;
    public const int PartitionUnassigned = -1;
    public const int ErrRevokePartitions = -174;
    public const int ErrAssignPartitions = -175;
    public const int ErrQueueFull = -184;
    public const int ErrPartitionEof = -191;
    public const int MessageSize = 72;
    public const int MessagePayload = 24;
    public const int MessageLen = 32;
    public const int MessageKeyLen = 48;
    public const int MessageOpaque = 64;
    public const int TopicPartitionOffset = 16;

    private static readonly Lock Gate = new();
    private static bool _tried;
    private static string? _unavailable = "not loaded";

    public static delegate* unmanaged<nint> ConfNew;
    public static delegate* unmanaged<nint, byte*, byte*, byte*, nuint, int> ConfSet;
    public static delegate* unmanaged<nint, void> ConfDestroy;
    public static delegate* unmanaged<nint, nint, void> ConfSetOpaque;
    public static delegate* unmanaged<nint, delegate* unmanaged<nint, int, byte*, byte*, void>, void> ConfSetLogCb;
    public static delegate* unmanaged<nint, delegate* unmanaged<nint, int, byte*, nint, void>, void> ConfSetErrorCb;
    public static delegate* unmanaged<nint, delegate* unmanaged<nint, byte*, nint, void>, void> ConfSetDrMsgCb;
    public static delegate* unmanaged<nint, delegate* unmanaged<nint, int, nint, nint, void>, void> ConfSetRebalanceCb;
    public static delegate* unmanaged<int, nint, byte*, nuint, nint> New;
    public static delegate* unmanaged<nint, void> Destroy;
    public static delegate* unmanaged<nint, nint> Opaque;
    public static delegate* unmanaged<nint, int, int> Poll;
    public static delegate* unmanaged<nint, int, int> Flush;
    public static delegate* unmanaged<nint, int> OutqLen;
    public static delegate* unmanaged<nint, byte*, nint, nint> TopicNew;
    public static delegate* unmanaged<nint, void> TopicDestroy;
    public static delegate* unmanaged<nint, int, int, byte*, int, int> ProduceBatch;
    public static delegate* unmanaged<nint, int> PollSetConsumer;
    public static delegate* unmanaged<nint, nint> QueueGetConsumer;
    public static delegate* unmanaged<nint, void> QueueDestroy;
    public static delegate* unmanaged<nint, int, nint*, nuint, nint> ConsumeBatchQueue;
    public static delegate* unmanaged<nint, int, nint> ConsumerPoll;
    public static delegate* unmanaged<nint, int> ConsumerClose;
    public static delegate* unmanaged<nint, void> MessageDestroy;
    public static delegate* unmanaged<nint, nint, int> Subscribe;
    public static delegate* unmanaged<nint, nint, int> Assign;
    public static delegate* unmanaged<nint, nint, nint> IncrementalAssign;
    public static delegate* unmanaged<nint, nint, nint> IncrementalUnassign;
    public static delegate* unmanaged<nint, void> ErrorDestroy;
    public static delegate* unmanaged<nint, byte*> RebalanceProtocol;
    public static delegate* unmanaged<int, nint> PartitionListNew;
    public static delegate* unmanaged<nint, byte*, int, byte*> PartitionListAdd;
    public static delegate* unmanaged<nint, void> PartitionListDestroy;

    /// <summary>Binds the functions (once); false with the reason when the bundled library is absent or lacks one.</summary>
    public static bool TryLoad(out string? unavailable)
    {
        lock (Gate)
        {
            if (!_tried)
            {
                _tried = true;
                _unavailable = Bind();
            }
            unavailable = _unavailable;
            return unavailable is null;
        }
    }

    private static string? Bind()
    {
        BundledLibrdkafka.Load();
        var library = BundledLibrdkafka.Handle;
        if (library == 0)
        {
            return "no bundled librdkafka for this platform";
        }
        string? missing = null;
        nint Export(string name)
        {
            if (!NativeLibrary.TryGetExport(library, name, out var address))
            {
                missing ??= name;
            }
            return address;
        }
        ConfNew = (delegate* unmanaged<nint>)Export("rd_kafka_conf_new");
        ConfSet = (delegate* unmanaged<nint, byte*, byte*, byte*, nuint, int>)Export("rd_kafka_conf_set");
        ConfDestroy = (delegate* unmanaged<nint, void>)Export("rd_kafka_conf_destroy");
        ConfSetOpaque = (delegate* unmanaged<nint, nint, void>)Export("rd_kafka_conf_set_opaque");
        ConfSetLogCb = (delegate* unmanaged<nint, delegate* unmanaged<nint, int, byte*, byte*, void>, void>)Export("rd_kafka_conf_set_log_cb");
        ConfSetErrorCb = (delegate* unmanaged<nint, delegate* unmanaged<nint, int, byte*, nint, void>, void>)Export("rd_kafka_conf_set_error_cb");
        ConfSetDrMsgCb = (delegate* unmanaged<nint, delegate* unmanaged<nint, byte*, nint, void>, void>)Export("rd_kafka_conf_set_dr_msg_cb");
        ConfSetRebalanceCb = (delegate* unmanaged<nint, delegate* unmanaged<nint, int, nint, nint, void>, void>)Export("rd_kafka_conf_set_rebalance_cb");
        New = (delegate* unmanaged<int, nint, byte*, nuint, nint>)Export("rd_kafka_new");
        Destroy = (delegate* unmanaged<nint, void>)Export("rd_kafka_destroy");
        Opaque = (delegate* unmanaged<nint, nint>)Export("rd_kafka_opaque");
        Poll = (delegate* unmanaged<nint, int, int>)Export("rd_kafka_poll");
        Flush = (delegate* unmanaged<nint, int, int>)Export("rd_kafka_flush");
        OutqLen = (delegate* unmanaged<nint, int>)Export("rd_kafka_outq_len");
        TopicNew = (delegate* unmanaged<nint, byte*, nint, nint>)Export("rd_kafka_topic_new");
        TopicDestroy = (delegate* unmanaged<nint, void>)Export("rd_kafka_topic_destroy");
        ProduceBatch = (delegate* unmanaged<nint, int, int, byte*, int, int>)Export("rd_kafka_produce_batch");
        PollSetConsumer = (delegate* unmanaged<nint, int>)Export("rd_kafka_poll_set_consumer");
        QueueGetConsumer = (delegate* unmanaged<nint, nint>)Export("rd_kafka_queue_get_consumer");
        QueueDestroy = (delegate* unmanaged<nint, void>)Export("rd_kafka_queue_destroy");
        ConsumeBatchQueue = (delegate* unmanaged<nint, int, nint*, nuint, nint>)Export("rd_kafka_consume_batch_queue");
        ConsumerPoll = (delegate* unmanaged<nint, int, nint>)Export("rd_kafka_consumer_poll");
        ConsumerClose = (delegate* unmanaged<nint, int>)Export("rd_kafka_consumer_close");
        MessageDestroy = (delegate* unmanaged<nint, void>)Export("rd_kafka_message_destroy");
        Subscribe = (delegate* unmanaged<nint, nint, int>)Export("rd_kafka_subscribe");
        Assign = (delegate* unmanaged<nint, nint, int>)Export("rd_kafka_assign");
        IncrementalAssign = (delegate* unmanaged<nint, nint, nint>)Export("rd_kafka_incremental_assign");
        IncrementalUnassign = (delegate* unmanaged<nint, nint, nint>)Export("rd_kafka_incremental_unassign");
        ErrorDestroy = (delegate* unmanaged<nint, void>)Export("rd_kafka_error_destroy");
        RebalanceProtocol = (delegate* unmanaged<nint, byte*>)Export("rd_kafka_rebalance_protocol");
        PartitionListNew = (delegate* unmanaged<int, nint>)Export("rd_kafka_topic_partition_list_new");
        PartitionListAdd = (delegate* unmanaged<nint, byte*, int, byte*>)Export("rd_kafka_topic_partition_list_add");
        PartitionListDestroy = (delegate* unmanaged<nint, void>)Export("rd_kafka_topic_partition_list_destroy");
        return missing is null ? null : $"the bundled librdkafka lacks {missing}";
    }

    /// <summary>
    /// A client of <paramref name="type"/> with every setting of <paramref name="config"/> except
    /// Confluent.Kafka's own (dotnet.*); librdkafka's log lines and errors go to
    /// <paramref name="state"/>'s <see cref="ClientState.Errors"/>, never the terminal.
    /// <paramref name="callbacks"/> sets further callbacks on the configuration.
    /// </summary>
    public static nint NewClient(int type, Dictionary<string, string> config, ClientState state, Action<nint>? callbacks = null)
    {
        var conf = ConfNew();
        var error = stackalloc byte[512];
        foreach (var (key, value) in config)
        {
            if (key.StartsWith("dotnet.", StringComparison.Ordinal))
            {
                continue;
            }
            fixed (byte* k = Utf8(key), v = Utf8(value))
            {
                if (ConfSet(conf, k, v, error, 512) != 0)
                {
                    ConfDestroy(conf);
                    throw new ToolException($"{key}: {Marshal.PtrToStringUTF8((nint)error)}");
                }
            }
        }
        ConfSetOpaque(conf, state.Opaque);
        ConfSetLogCb(conf, &OnLog);
        ConfSetErrorCb(conf, &OnError);
        callbacks?.Invoke(conf);
        var client = New(type, conf, error, 512);
        if (client == 0)
        {
            ConfDestroy(conf);
            throw new ToolException(Marshal.PtrToStringUTF8((nint)error) ?? "librdkafka refused the configuration");
        }
        return client;
    }

    /// <summary>The NUL-terminated UTF-8 form of <paramref name="text"/>.</summary>
    public static byte[] Utf8(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    [UnmanagedCallersOnly]
    private static void OnLog(nint client, int level, byte* facility, byte* line)
    {
        try
        {
            if (ClientState.From(Opaque(client)) is { } state)
            {
                var text = Marshal.PtrToStringUTF8((nint)line) ?? "";
                state.Errors.Log(new LogMessage("", (SyslogLevel)level, Marshal.PtrToStringUTF8((nint)facility) ?? "", text));
            }
        }
        catch (Exception)
        {
            // A log line is not worth the process: an exception may not leave a native callback.
        }
    }

    [UnmanagedCallersOnly]
    private static void OnError(nint client, int code, byte* reason, nint opaque)
    {
        try
        {
            ClientState.From(opaque)?.Errors.Record(new Error((ErrorCode)code, Marshal.PtrToStringUTF8((nint)reason) ?? ""));
        }
        catch (Exception)
        {
            // As in OnLog.
        }
    }

    /// <summary>What a client's callbacks reach, through a GCHandle passed as librdkafka's opaque; dispose after destroying the client.</summary>
    public class ClientState(ClientErrors errors) : IDisposable
    {
        private GCHandle _handle;

        public ClientErrors Errors { get; } = errors;

        public nint Opaque
        {
            get
            {
                if (!_handle.IsAllocated)
                {
                    _handle = GCHandle.Alloc(this);
                }
                return GCHandle.ToIntPtr(_handle);
            }
        }

        public static ClientState? From(nint opaque) => opaque == 0 ? null : GCHandle.FromIntPtr(opaque).Target as ClientState;

        public void Dispose()
        {
            if (_handle.IsAllocated)
            {
                _handle.Free();
            }
            GC.SuppressFinalize(this);
        }
    }
}
