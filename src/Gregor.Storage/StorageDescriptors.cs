namespace Gregor.Storage;

/// <summary>
/// The file descriptors the log engine holds open, for callers that budget the process's
/// open-files limit. Counted process-wide (the descriptor table is the process's, whichever log
/// manager opened them): a segment counts <see cref="PerSegment"/> from the moment its files are
/// open until it is disposed. Files opened and closed within one operation (checkpoints, producer
/// snapshots, partition.metadata) are not counted; budgets keep a reserve for them.
/// </summary>
public static class StorageDescriptors
{
    /// <summary>Descriptors one open segment holds: its .log file and what each of its two index files holds.</summary>
    public const int PerSegment = 1 + (2 * Index.IndexFile.DescriptorsHeld);

    /// <summary>Descriptors a newly created partition holds: its one, active, segment.</summary>
    public const int PerNewPartition = PerSegment;

    private static long s_open;

    /// <summary>Descriptors held by open segments right now.</summary>
    public static long Open => Interlocked.Read(ref s_open);

    internal static void Opened(int count) => Interlocked.Add(ref s_open, count);

    internal static void Closed(int count) => Interlocked.Add(ref s_open, -count);
}
