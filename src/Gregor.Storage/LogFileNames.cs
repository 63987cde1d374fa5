using System.Globalization;

namespace Gregor.Storage;

/// <summary>
/// File names of a partition directory: segments are named after their base offset in 20
/// zero-padded digits, "00000000000000170210.log" with ".index" and ".timeindex" beside it;
/// ".deleted", ".cleaned" and ".swap" suffixes mark files being removed or replaced. Producer-state
/// snapshots are "00000000000000170210.snapshot", named after the offset they cover the log up to.
/// </summary>
public static class LogFileNames
{
    public const string LogSuffix = ".log";
    public const string IndexSuffix = ".index";
    public const string TimeIndexSuffix = ".timeindex";
    public const string DeletedSuffix = ".deleted";
    public const string CleanedSuffix = ".cleaned";
    public const string SwapSuffix = ".swap";
    public const string ProducerSnapshotSuffix = ".snapshot";

    public const string CleanShutdownFile = ".kafka_cleanshutdown";
    public const string LockFile = ".lock";
    public const string MetaPropertiesFile = "meta.properties";
    public const string RecoveryPointCheckpointFile = "recovery-point-offset-checkpoint";
    public const string LogStartOffsetCheckpointFile = "log-start-offset-checkpoint";
    public const string ReplicationOffsetCheckpointFile = "replication-offset-checkpoint";
    public const string CleanerOffsetCheckpointFile = "cleaner-offset-checkpoint";
    public const string LeaderEpochCheckpointFile = "leader-epoch-checkpoint";
    public const string PartitionMetadataFile = "partition.metadata";

    public static string OffsetPrefix(long offset) => offset.ToString("D20", CultureInfo.InvariantCulture);

    public static string LogFile(string dir, long baseOffset, string suffix = "") => Path.Combine(dir, OffsetPrefix(baseOffset) + LogSuffix + suffix);

    public static string IndexFile(string dir, long baseOffset, string suffix = "") => Path.Combine(dir, OffsetPrefix(baseOffset) + IndexSuffix + suffix);

    public static string TimeIndexFile(string dir, long baseOffset, string suffix = "") => Path.Combine(dir, OffsetPrefix(baseOffset) + TimeIndexSuffix + suffix);

    public static string ProducerSnapshotFile(string dir, long offset) => Path.Combine(dir, OffsetPrefix(offset) + ProducerSnapshotSuffix);

    /// <summary>Base offset from a file name such as "00000000000000000042.log" (any suffix after the digits).</summary>
    public static bool TryParseBaseOffset(string fileName, out long baseOffset)
    {
        baseOffset = 0;
        var name = Path.GetFileName(fileName);
        return name.Length > 20 && name[20] == '.' &&
               long.TryParse(name.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }
}
