using System.Buffers.Binary;

namespace Gregor.Storage.Index;

/// <summary>
/// The ".timeindex" file: sparse entries of [timestamp int64 BE][relative offset int32 BE], 12
/// bytes each, timestamps strictly increasing, offsets non-decreasing. An entry (T, O) says
/// the greatest timestamp seen up to and including the batch ending at offset O is T. A lookup for timestamp T gives the greatest entry
/// with timestamp ≤ T; the log is scanned from that offset for the first record at or after T.
/// When a segment rolls, its largest timestamp is appended, so the last entry of a closed
/// segment holds the segment's largest timestamp (used by time-based retention).
/// </summary>
internal sealed class TimeIndex : IndexFile
{
    public const int Size = 12;

    public TimeIndex(string path, long baseOffset, int maxIndexSize, bool writable)
        : base(path, baseOffset, maxIndexSize, Size, writable)
    {
    }

    public long LastTimestamp => Entries == 0 ? -1 : ReadInt64(Entries - 1, 0);

    public long LastOffset => Entries == 0 ? BaseOffset : BaseOffset + ReadInt32(Entries - 1, 8);

    public (long Timestamp, long Offset) EntryAt(int i) => (ReadInt64(i, 0), BaseOffset + ReadInt32(i, 8));

    /// <summary>Appends when <paramref name="timestamp"/> is above the last entry's (and, unless forced, there is room).</summary>
    public void MaybeAppend(long timestamp, long offset, bool skipFullCheck = false)
    {
        if (timestamp <= LastTimestamp || timestamp < 0)
        {
            return;
        }
        if (IsFull)
        {
            if (!skipFullCheck)
            {
                throw new InvalidOperationException($"time index {Path} is full");
            }
            ResizeToMax();
            if (IsFull)
            {
                return;
            }
        }
        EnsureCapacity(Entries + 1);
        var e = WritableEntry(Entries);
        BinaryPrimitives.WriteInt64BigEndian(e, timestamp);
        BinaryPrimitives.WriteInt32BigEndian(e[8..], checked((int)(Math.Max(offset, LastOffset) - BaseOffset)));
        Entries++;
    }

    /// <summary>Greatest entry with timestamp ≤ <paramref name="timestamp"/>, or (-1, BaseOffset).</summary>
    public (long Timestamp, long Offset) Lookup(long timestamp)
    {
        var lo = 0;
        var hi = Entries - 1;
        var found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (ReadInt64(mid, 0) <= timestamp)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found < 0 ? (-1, BaseOffset) : EntryAt(found);
    }

    /// <summary>Removes entries whose offset is ≥ <paramref name="offset"/>.</summary>
    public void TruncateTo(long offset)
    {
        while (Entries > 0 && LastOffset >= offset)
        {
            WritableEntry(Entries - 1).Clear();
            Entries--;
        }
    }

    public bool IsSane(long nextOffset, out string? problem)
    {
        problem = null;
        if (!LengthWasValid)
        {
            problem = "file length is not a multiple of 12";
            return false;
        }
        long prevTs = -1, prevRel = -1;
        for (var i = 0; i < Entries; i++)
        {
            var ts = ReadInt64(i, 0);
            var rel = ReadInt32(i, 8);
            if (ts <= prevTs || rel < prevRel || rel < 0 || BaseOffset + rel >= Math.Max(nextOffset, BaseOffset + 1))
            {
                problem = $"entry {i} (timestamp {ts}, relative offset {rel}) is out of order or past the log end";
                return false;
            }
            prevTs = ts;
            prevRel = rel;
        }
        return true;
    }
}
