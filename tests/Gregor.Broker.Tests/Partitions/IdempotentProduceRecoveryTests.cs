using Gregor.Broker.Partitions;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Records;
using Gregor.Protocol.Wire;
using Gregor.Storage;

namespace Gregor.Broker.Tests.Partitions;

/// <summary>
/// The produce path over a real log with small segments (five 185-byte batches each): every roll
/// leaves a producer snapshot, and after a crash (the files as a killed process leaves them, so
/// no clean-shutdown snapshot) retries of batches from before and after the last roll are still
/// answered with their original offsets and not written again.
/// </summary>
public sealed class IdempotentProduceRecoveryTests : IDisposable
{
    private const long ProducerId = 4242;
    private static readonly TopicPartition Tp = new("idempotent", 0);
    private static readonly Partition.LeaderState Leadership = new(Leader: 1, LeaderEpoch: 0, PartitionEpoch: 0, [1], [1]);
    private readonly string _root = Directory.CreateTempSubdirectory("gregor-idempotent-").FullName;

    [Fact]
    public async Task Retries_from_before_and_after_the_last_roll_are_duplicates_after_a_crash()
    {
        var running = Open("running");
        var runningLog = running.GetOrCreateLog(Tp);
        var partition = new Partition(Tp, Uuid.NewRandom(), runningLog, localBrokerId: 1, Leadership);
        var offsets = new List<long>();
        for (var sequence = 0; sequence < 17; sequence++)
        {
            var result = await partition.AppendAsync(Batch(sequence), AppendOrigin.Client);
            Assert.Equal(ErrorCode.None, result.Error);
            offsets.Add(result.BaseOffset);
        }
        Assert.Equal([0, 5, 10, 15], runningLog.SegmentBaseOffsets);
        Assert.Equal([5, 10, 15], SnapshotOffsets(runningLog.Directory));
        CopyDirectory(Path.Combine(_root, "running"), Path.Combine(_root, "crashed"));
        running.Shutdown();

        var restarted = Open("crashed");
        var log = restarted.GetLog(Tp)!;
        var recovered = new Partition(Tp, Uuid.NewRandom(), log, localBrokerId: 1, Leadership);
        Assert.Equal(17, log.LogEndOffset);
        // The last five batches: 12–14 before the roll at 15, 15–16 after it.
        for (var sequence = 12; sequence < 17; sequence++)
        {
            var retry = await recovered.AppendAsync(Batch(sequence), AppendOrigin.Client);
            Assert.Equal(ErrorCode.None, retry.Error);
            Assert.Equal(offsets[sequence], retry.BaseOffset);
        }
        Assert.Equal(17, log.LogEndOffset);
        var next = await recovered.AppendAsync(Batch(17), AppendOrigin.Client);
        Assert.Equal((ErrorCode.None, 17L), (next.Error, next.BaseOffset));
        restarted.Shutdown();
    }

    private LogManager Open(string name)
    {
        var manager = new LogManager(new LogManagerOptions
        {
            LogDirs = [Path.Combine(_root, name)],
            ClusterId = "test-cluster",
            StartBackgroundTasks = false,
            DefaultConfig = new LogConfig { SegmentBytes = 1000 },
        });
        manager.Startup();
        return manager;
    }

    private static byte[] Batch(int sequence)
    {
        var builder = new RecordBatchBuilder { ProducerId = ProducerId, ProducerEpoch = 0, BaseSequence = sequence };
        builder.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), System.Text.Encoding.UTF8.GetBytes($"key-{sequence:D6}"), new byte[100]);
        return builder.Build();
    }

    private static List<long> SnapshotOffsets(string dir) =>
        [.. Directory.GetFiles(dir, "*.snapshot").Select(p => long.Parse(Path.GetFileNameWithoutExtension(p), System.Globalization.CultureInfo.InvariantCulture)).Order()];

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        // The running log manager's .lock is held exclusively (and is no data of the crash image).
        foreach (var file in Directory.GetFiles(from).Where(f => Path.GetFileName(f) != LogFileNames.LockFile))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
        foreach (var dir in Directory.GetDirectories(from))
        {
            CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
