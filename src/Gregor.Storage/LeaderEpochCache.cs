using Gregor.Storage.Checkpoints;

namespace Gregor.Storage;

/// <summary>
/// Leader epoch → first offset written in that epoch, persisted to "leader-epoch-checkpoint" on
/// every change. Invariant: epochs and start offsets both strictly increase. Owned by its
/// <see cref="PartitionLog"/> and mutated under the log's lock; reads also take that lock.
/// </summary>
public sealed class LeaderEpochCache
{
    private readonly List<EpochEntry> _entries;
    private readonly LeaderEpochCheckpointFile _file;

    internal LeaderEpochCache(string dir)
    {
        _file = new LeaderEpochCheckpointFile(Path.Combine(dir, LogFileNames.LeaderEpochCheckpointFile));
        _entries = _file.Read();
    }

    public IReadOnlyList<EpochEntry> Entries => _entries;

    public int LatestEpoch => _entries.Count == 0 ? -1 : _entries[^1].Epoch;

    /// <summary>Records that <paramref name="epoch"/> starts at <paramref name="startOffset"/> if it is newer than the latest.</summary>
    public void Assign(int epoch, long startOffset)
    {
        if (epoch < 0 || epoch <= LatestEpoch)
        {
            return;
        }
        // An entry at or past startOffset from an older epoch was never committed; drop it.
        while (_entries.Count > 0 && _entries[^1].StartOffset >= startOffset)
        {
            _entries.RemoveAt(_entries.Count - 1);
        }
        _entries.Add(new EpochEntry(epoch, startOffset));
        Persist();
    }

    /// <summary>The epoch in force at <paramref name="offset"/>, -1 when no entry starts at or before it.</summary>
    public int EpochForOffset(long offset)
    {
        for (var i = _entries.Count - 1; i >= 0; i--)
        {
            if (_entries[i].StartOffset <= offset)
            {
                return _entries[i].Epoch;
            }
        }
        return -1;
    }

    /// <summary>
    /// Whether a batch at <paramref name="offset"/> may carry <paramref name="epoch"/>: the epoch in
    /// force there, or before the first entry (moved up by the log start offset) any epoch up to the first.
    /// </summary>
    public bool IsConsistent(long offset, int epoch)
    {
        if (_entries.Count == 0)
        {
            return true;
        }
        if (offset < _entries[0].StartOffset)
        {
            return epoch <= _entries[0].Epoch;
        }
        return EpochForOffset(offset) == epoch;
    }

    /// <summary>
    /// OffsetsForLeaderEpoch: the largest epoch ≤ <paramref name="epoch"/> and the offset where the
    /// next epoch starts (or <paramref name="logEndOffset"/> for the latest); (-1, -1) when unknown.
    /// </summary>
    public (int Epoch, long EndOffset) EndOffsetFor(int epoch, long logEndOffset)
    {
        for (var i = _entries.Count - 1; i >= 0; i--)
        {
            if (_entries[i].Epoch <= epoch)
            {
                return (_entries[i].Epoch, i == _entries.Count - 1 ? logEndOffset : _entries[i + 1].StartOffset);
            }
        }
        return (-1, -1);
    }

    /// <summary>Removes entries starting at or after <paramref name="endOffset"/> (log truncated to it).</summary>
    public void TruncateFromEnd(long endOffset)
    {
        var before = _entries.Count;
        _entries.RemoveAll(e => e.StartOffset >= endOffset);
        if (_entries.Count != before)
        {
            Persist();
        }
    }

    /// <summary>Log start moved to <paramref name="startOffset"/>: earlier entries go, the one in force there starts there.</summary>
    public void TruncateFromStart(long startOffset)
    {
        var changed = false;
        while (_entries.Count > 1 && _entries[1].StartOffset <= startOffset)
        {
            _entries.RemoveAt(0);
            changed = true;
        }
        if (_entries.Count > 0 && _entries[0].StartOffset < startOffset)
        {
            _entries[0] = _entries[0] with { StartOffset = startOffset };
            changed = true;
        }
        if (changed)
        {
            Persist();
        }
    }

    public void Clear()
    {
        if (_entries.Count > 0)
        {
            _entries.Clear();
            Persist();
        }
    }

    private void Persist() => _file.Write(_entries);
}
