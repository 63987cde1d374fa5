using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Gregor.EndToEnd.Tests.ProduceConsume.Acceptance;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;
using Gregor.Protocol.Records;
using Xunit.Abstractions;
using ErrorCode = Gregor.Protocol.Errors.ErrorCode;

namespace Gregor.EndToEnd.Tests.Storage;

/// <summary>
/// A log dir that runs out of space while the broker runs: the dir goes offline (logged once), its
/// partitions answer KAFKA_STORAGE_ERROR to Produce and Fetch, DescribeLogDirs reports it, offset
/// commits to an offsets partition in it are refused without a crash, the other log dir goes on,
/// and after a restart with space the dir is back with every acknowledged record.
/// <para>
/// The full dir is a 64 MiB tmpfs mounted by the test and filled with a file (the first batch
/// after that fits in the log's last page, while its offset-index entry needs a page the volume
/// no longer has: the SIGBUS case). Where mounting is not allowed, the broker runs under a file
/// size limit (prlimit --fsize) instead, so a log file that grows past it fails with EFBIG
/// (GREGOR_TEST_DISK_FULL=fsize chooses that where mounting works).
/// </para>
/// </summary>
public sealed class DiskFullTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const string SeedTopic = "seed";
    private const string FullTopic = "on-the-full-dir";
    private const string OtherTopic = "on-the-other-dir";
    private const long FileSizeLimit = 1 << 20;

    /// <summary>A group stored in __consumer_offsets-0: Kafka's partitioning, Java's String.hashCode modulo the partition count.</summary>
    private static readonly string Group = Enumerable.Range(0, 100).Select(i => $"disk-full-group-{i}").First(g => (JavaHashCode(g) & 0x7fffffff) % 2 == 0);

    [Fact]
    public async Task A_full_log_dir_goes_offline_with_storage_errors_while_the_other_dir_serves_and_comes_back_after_a_restart()
    {
        var root = Directory.CreateTempSubdirectory("gregor-diskfull-").FullName;
        var full = Path.Combine(root, "full");
        var other = Path.Combine(root, "other");
        Directory.CreateDirectory(full);
        Directory.CreateDirectory(other);
        // GREGOR_TEST_DISK_FULL=fsize takes the fallback even where mounting works.
        var tmpfs = Environment.GetEnvironmentVariable("GREGOR_TEST_DISK_FULL") != "fsize"
            && await RunAsync("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", full) == 0;
        output.WriteLine(tmpfs
            ? $"disk full by: a 64 MiB tmpfs mounted on {full}, filled with a file"
            : $"disk full by: no tmpfs (mount refused, or GREGOR_TEST_DISK_FULL=fsize); the broker runs under a file size limit of {FileSizeLimit} bytes (prlimit --fsize)");
        try
        {
            var logDirs = $"{full},{other}";
            // A new partition goes to the dir with the fewest, ties to the first listed: seed-0 and
            // __consumer_offsets-0 land in the full dir, seed-1 and __consumer_offsets-1 in the other.
            string[] overrides = ["offsets.topic.num.partitions=2", "group.initial.rebalance.delay.ms=0"];
            var acked = new List<string>();
            await using (var broker = await BrokerProcess.StartAsync(overrides, logDirs))
            {
                await FailFullDirAsync(broker, full, other, tmpfs, acked);
            }

            // Space again: the filler goes (or the limit, with the process), and the dir is back.
            File.Delete(Path.Combine(full, "filler"));
            await using (var broker = await BrokerProcess.StartAsync(overrides, logDirs))
            {
                using var connection = await RawConnection.ConnectAsync(broker.Port);
                var dirs = await DescribeLogDirsAsync(connection);
                Assert.Equal((short)ErrorCode.None, dirs[full].ErrorCode);
                Assert.Equal(acked, ReadValues(broker.BootstrapServers, FullTopic, acked.Count));
                Assert.Equal(new List<string> { "other-0", "other-1" }, ReadValues(broker.BootstrapServers, OtherTopic, 2));
                Assert.Equal(5, await CommittedAsync(connection));
                Assert.Equal(ErrorCode.None, await ProduceAsync(connection, FullTopic, "after", 100));
                Assert.Equal(ErrorCode.None, await CommitAsync(connection, 9));
                Assert.Equal(0, await broker.StopAsync(Timeout));
            }
        }
        finally
        {
            if (tmpfs)
            {
                await RunAsync("umount", full);
            }
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Fills the full dir while the broker runs and checks how the broker answers; records the acknowledged values.</summary>
    private async Task FailFullDirAsync(BrokerProcess broker, string full, string other, bool tmpfs, List<string> acked)
    {
        try
        {
            using var connection = await RawConnection.ConnectAsync(broker.Port);
            await CreateTopicAsync(connection, SeedTopic, 2);
            Assert.Equal(ErrorCode.None, await CommitAsync(connection, 5));
            await CreateTopicAsync(connection, FullTopic);
            await CreateTopicAsync(connection, OtherTopic);
            Assert.True(Directory.Exists(Path.Combine(full, "__consumer_offsets-0")), "the offsets partition is in the full dir");
            Assert.True(Directory.Exists(Path.Combine(other, OtherTopic + "-0")));
            Assert.True(Directory.Exists(Path.Combine(full, FullTopic + "-0")));
            Assert.Equal(ErrorCode.None, await ProduceAsync(connection, OtherTopic, "other-0", 100));
            Assert.Equal(ErrorCode.None, await ProduceAsync(connection, FullTopic, "full-0", 100));
            acked.Add("full-0");

            if (tmpfs)
            {
                FillVolume(Path.Combine(full, "filler"));
            }
            else
            {
                Assert.Equal(0, await RunAsync("prlimit", "--pid", broker.ProcessId.ToString(CultureInfo.InvariantCulture), $"--fsize={FileSizeLimit}"));
            }

            // Produce until the dir fails: at once on the filled tmpfs, past the limit otherwise.
            var error = ErrorCode.None;
            for (var i = 1; i < 400 && error == ErrorCode.None; i++)
            {
                var value = $"full-{i}";
                error = await ProduceAsync(connection, FullTopic, value, tmpfs ? 100 : 8192);
                if (error == ErrorCode.None)
                {
                    acked.Add(value);
                }
            }
            Assert.Equal(ErrorCode.KafkaStorageError, error);
            Assert.False(broker.HasExited);

            // Retries keep getting the storage error, on the same connection.
            for (var i = 0; i < 20; i++)
            {
                Assert.Equal(ErrorCode.KafkaStorageError, await ProduceAsync(connection, FullTopic, "retry", 100));
            }
            Assert.Equal(ErrorCode.KafkaStorageError, await FetchErrorAsync(connection, FullTopic));
            Assert.Equal(ErrorCode.NotCoordinator, await CommitAsync(connection, 9));

            // The other dir serves as before.
            Assert.Equal(ErrorCode.None, await ProduceAsync(connection, OtherTopic, "other-1", 100));
            Assert.Equal(ErrorCode.None, await FetchErrorAsync(connection, OtherTopic));

            var dirs = await DescribeLogDirsAsync(connection);
            Assert.Equal((short)ErrorCode.KafkaStorageError, dirs[full].ErrorCode);
            Assert.Equal((short)ErrorCode.None, dirs[other].ErrorCode);
            Assert.Contains(dirs[other].Topics, t => t.Name == OtherTopic);

            var lines = broker.Output.ToList();
            Assert.Single(lines, l => l.Contains("is offline after an I/O error", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at Gregor.", StringComparison.Ordinal));
            Assert.Equal(0, await broker.StopAsync(Timeout));
        }
        catch
        {
            foreach (var line in broker.Output)
            {
                output.WriteLine(line);
            }
            throw;
        }
    }

    private static int JavaHashCode(string s)
    {
        var h = 0;
        foreach (var c in s)
        {
            h = unchecked((31 * h) + c);
        }
        return h;
    }

    /// <summary>Writes to <paramref name="path"/> until the volume refuses another byte.</summary>
    private static void FillVolume(string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        foreach (var chunk in new[] { 1 << 20, 4096, 1 })
        {
            var bytes = new byte[chunk];
            Array.Fill(bytes, (byte)1);
            try
            {
                while (true)
                {
                    file.Write(bytes);
                    file.Flush();
                }
            }
            catch (IOException)
            {
                // Full for writes of this size; try smaller ones.
            }
        }
    }

    private static async Task<int> RunAsync(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        try
        {
            using var process = Process.Start(info)!;
            await process.WaitForExitAsync();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    private static async Task CreateTopicAsync(RawConnection connection, string topic, int partitions = 1)
    {
        await connection.SendAsync(new CreateTopicsRequest { Topics = [new CreateTopicsRequest.CreatableTopic { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }] }, 7, 1);
        var (_, created) = await connection.ReadResponseAsync<CreateTopicsResponse>(7, Timeout);
        Assert.Equal(0, created.Topics[0].ErrorCode);
    }

    private static async Task<ErrorCode> ProduceAsync(RawConnection connection, string topic, string value, int size)
    {
        var builder = new RecordBatchBuilder();
        var text = Encoding.UTF8.GetBytes(value);
        var bytes = new byte[Math.Max(size, text.Length)];
        text.CopyTo(bytes, 0);
        builder.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, bytes);
        return (ErrorCode)(await Raw.ProduceAsync(connection, topic, builder.Build(), acks: 1)).ErrorCode;
    }

    private static async Task<ErrorCode> FetchErrorAsync(RawConnection connection, string topic)
    {
        var request = new FetchRequest
        {
            MaxWaitMs = 0,
            MinBytes = 0,
            MaxBytes = 1 << 20,
            SessionEpoch = -1,
            Topics = [new FetchRequest.FetchTopic { Topic = topic, Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = 0, PartitionMaxBytes = 1 << 20 }] }],
        };
        await connection.SendAsync(request, 12, 3);
        var (_, response) = await connection.ReadResponseAsync<FetchResponse>(12, Timeout);
        return (ErrorCode)response.Responses.Single().Partitions.Single().ErrorCode;
    }

    private static async Task<ErrorCode> CommitAsync(RawConnection connection, long offset)
    {
        var request = new OffsetCommitRequest
        {
            GroupId = Group,
            GenerationIdOrMemberEpoch = -1,
            MemberId = "",
            Topics = [new OffsetCommitRequest.OffsetCommitRequestTopic
            {
                Name = SeedTopic,
                Partitions = [new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = offset }],
            }],
        };
        await connection.SendAsync(request, 8, 4);
        var (_, response) = await connection.ReadResponseAsync<OffsetCommitResponse>(8, Timeout);
        return (ErrorCode)response.Topics.Single().Partitions.Single().ErrorCode;
    }

    private static async Task<long> CommittedAsync(RawConnection connection)
    {
        var request = new OffsetFetchRequest
        {
            GroupId = Group,
            Topics = [new OffsetFetchRequest.OffsetFetchRequestTopic { Name = SeedTopic, PartitionIndexes = [0] }],
        };
        await connection.SendAsync(request, 5, 5);
        var (_, response) = await connection.ReadResponseAsync<OffsetFetchResponse>(5, Timeout);
        return response.Topics.Single().Partitions.Single().CommittedOffset;
    }

    private static async Task<Dictionary<string, DescribeLogDirsResponse.DescribeLogDirsResult>> DescribeLogDirsAsync(RawConnection connection)
    {
        await connection.SendAsync(new DescribeLogDirsRequest { Topics = null }, 4, 6);
        var (_, response) = await connection.ReadResponseAsync<DescribeLogDirsResponse>(4, Timeout);
        return response.Results.ToDictionary(r => r.LogDir);
    }

    /// <summary>The first <paramref name="count"/> record values of partition 0, up to the NUL padding.</summary>
    private static List<string> ReadValues(string bootstrap, string topic, int count)
    {
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "disk-full-reader",
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, 0));
        var values = new List<string>();
        var deadline = DateTime.UtcNow + Timeout;
        while (values.Count < count && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(1));
            if (result?.Message is { } message)
            {
                values.Add(Encoding.UTF8.GetString(message.Value).TrimEnd('\0'));
            }
        }
        return values;
    }
}
