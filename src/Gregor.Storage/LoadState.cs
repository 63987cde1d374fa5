namespace Gregor.Storage;

/// <summary>What the log dir's checkpoint files say about one partition when it is loaded.</summary>
internal sealed record LoadState
{
    public bool CleanShutdown { get; init; }

    public long? RecoveryPoint { get; init; }

    public long? LogStartOffset { get; init; }

    public long? HighWatermark { get; init; }

    public long? CleanerCheckpoint { get; init; }
}
