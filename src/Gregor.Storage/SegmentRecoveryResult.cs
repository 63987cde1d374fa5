namespace Gregor.Storage;

/// <summary>What scanning a segment found: the valid prefix and, when cut, where and why.</summary>
internal readonly record struct SegmentRecoveryResult(int ValidBytes, int Batches, long NextOffset, long TruncatedBytes, string? Reason)
{
    public bool Truncated => TruncatedBytes > 0 || Reason is not null;
}
