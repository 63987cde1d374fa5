using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;
using Gregor.Protocol.Records;
using Xunit.Abstractions;

namespace Gregor.EndToEnd.Tests.Foundation;

/// <summary>
/// Old consumers (Fetch v0-3, message format v0/v1) cost the broker a bounded amount of memory
/// however much they fetch: the records are converted while the response is written, not held
/// converted in memory for the whole response. Measured as the broker's resident set (VmRSS and
/// its peak VmHWM from /proc/PID/status) with generous slack, while several connections have each
/// begun to receive a response of tens of MiB and do not read on, so their responses are in
/// flight at the same time however the machine schedules them. The issue's scenario (100 MiB
/// fetched by each of N connections) is the same test with GREGOR_DOWNCONVERT_MIB=100 and
/// GREGOR_DOWNCONVERT_CONNECTIONS=N (README, "Tests"); the suite runs 6 connections x 47 MiB.
/// </summary>
public sealed class DownConversionMemoryTests(ITestOutputHelper output)
{
    private const long MiB = 1024 * 1024;
    private const int RecordsPerBatch = 60;
    private const int ValueSize = 16 * 1024;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private static readonly int Connections = Setting("GREGOR_DOWNCONVERT_CONNECTIONS", 6);

    /// <summary>Batches of 60 x 16 KiB, 0.94 MiB (within max.message.bytes), enough for the MiB asked.</summary>
    private static readonly int Batches = (int)Math.Ceiling(Setting("GREGOR_DOWNCONVERT_MIB", 47) * MiB / (double)(RecordsPerBatch * ValueSize));

    private static int Setting(string name, int otherwise) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : otherwise;

    [Fact]
    public async Task Concurrent_down_converted_fetches_hold_a_bounded_amount_of_memory()
    {
        await using var broker = await BrokerProcess.StartAsync();
        const string topic = "old-consumers";
        using (var admin = await RawConnection.ConnectAsync(broker.Port))
        {
            await admin.SendAsync(new CreateTopicsRequest { Topics = [new() { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }] }, 7, 1);
            Assert.Equal(0, (await admin.ReadResponseAsync<CreateTopicsResponse>(7, Timeout)).Body.Topics[0].ErrorCode);
            var value = new byte[ValueSize];
            for (var b = 0; b < Batches; b++)
            {
                var builder = new RecordBatchBuilder();
                for (var r = 0; r < RecordsPerBatch; r++)
                {
                    value.AsSpan().Fill((byte)r);
                    builder.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, value);
                }
                var produce = new ProduceRequest
                {
                    Acks = 1,
                    TimeoutMs = 30_000,
                    TopicData = [new() { Name = topic, PartitionData = [new() { Index = 0, Records = builder.Build() }] }],
                };
                await admin.SendAsync(produce, 9, 2 + b);
                Assert.Equal(0, (await admin.ReadResponseAsync<ProduceResponse>(9, Timeout)).Body.Responses[0].PartitionResponses[0].ErrorCode);
            }
        }

        // The baseline: the resident set after producing, with its peak reset (clear_refs 5).
        await File.WriteAllTextAsync($"/proc/{broker.ProcessId}/clear_refs", "5");
        var before = broker.ReadProcStatusBytes("VmRSS");

        var fetch = RawConnection.BuildRequest(new FetchRequest
        {
            ReplicaId = -1,
            MaxWaitMs = 0,
            MaxBytes = int.MaxValue,
            Topics = [new() { Topic = topic, Partitions = [new() { Partition = 0, FetchOffset = 0, PartitionMaxBytes = int.MaxValue }] }],
        }, 3, 7);
        var sockets = new List<Socket>();
        try
        {
            // Each connection sends its Fetch and reads only the size of the response: the broker
            // has begun to send every response, and the clients' full TCP windows hold the rest.
            var sizes = new List<int>();
            for (var i = 0; i < Connections; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 64 * 1024 };
                sockets.Add(socket);
                await socket.ConnectAsync("127.0.0.1", broker.Port);
                await socket.SendAsync(fetch, SocketFlags.None);
                sizes.Add(BinaryPrimitives.ReadInt32BigEndian(await ReceiveExactlyAsync(socket, 4)));
            }
            var during = broker.ReadProcStatusBytes("VmRSS");
            var stored = (long)Batches * RecordsPerBatch * ValueSize;
            output.WriteLine($"VmRSS {before / MiB} MiB before, {during / MiB} MiB with {Connections} responses of {sizes.Max() / MiB} MiB in flight");
            Assert.All(sizes, size => Assert.True(size > stored * 9 / 10, $"a response of {size} bytes for {stored} stored bytes"));

            // Every response is whole and holds the records in order, as legacy messages: all of
            // them but the last batch's, which may be cut (legacy messages are larger than their
            // stored form, and the response is no larger than what is stored).
            for (var i = 0; i < Connections; i++)
            {
                var frame = await ReceiveExactlyAsync(sockets[i], sizes[i]);
                var (correlationId, response) = RawConnection.Decode<FetchResponse>(frame, 3);
                Assert.Equal(7, correlationId);
                var partition = response.Responses[0].Partitions[0];
                Assert.Equal(0, partition.ErrorCode);
                Assert.InRange(CountMessages(partition.Records!.Value.Span), (Batches - 1) * RecordsPerBatch, Batches * RecordsPerBatch);
            }
            var peak = broker.ReadProcStatusBytes("VmHWM");
            output.WriteLine($"peak VmHWM {peak / MiB} MiB; VmRSS {broker.ReadProcStatusBytes("VmRSS") / MiB} MiB after");
            // Holding each response converted would take 6 x 47 MiB = 282 MiB (and more: a buffer
            // grown by doubling); the bound, a third of that, is what one response may hold whatever
            // the number and size of the responses.
            const long bound = 96 * MiB;
            Assert.True(during - before < bound, $"{Connections} down-converted responses in flight took the resident set from {before / MiB} to {during / MiB} MiB");
            Assert.True(peak - before < bound, $"{Connections} down-converted responses took the peak resident set from {before / MiB} to {peak / MiB} MiB");
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
        Assert.False(broker.HasExited);
    }

    private static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var buffer = new byte[count];
        for (var at = 0; at < count;)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(at), SocketFlags.None, cts.Token);
            Assert.True(n > 0, $"the broker closed the connection after {at} of {count} bytes");
            at += n;
        }
        return buffer;
    }

    /// <summary>
    /// Counts the whole messages of a v1 message set, checking offsets run 0, 1, 2...; a partial
    /// message at the end (which consumers ignore) ends the set.
    /// </summary>
    private static int CountMessages(ReadOnlySpan<byte> set)
    {
        var count = 0;
        while (set.Length >= 12)
        {
            var size = BinaryPrimitives.ReadInt32BigEndian(set[LegacyMessage.SizeOffset..]);
            if (set.Length < 12L + size)
            {
                break;
            }
            Assert.Equal(count, BinaryPrimitives.ReadInt64BigEndian(set));
            Assert.Equal(1, set[LegacyMessage.MagicOffset]);
            count++;
            set = set[(12 + size)..];
        }
        return count;
    }
}
