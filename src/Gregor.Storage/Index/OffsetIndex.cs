using System.Buffers.Binary;

namespace Gregor.Storage.Index;

/// <summary>
/// The ".index" file: sparse entries of [relative offset int32 BE][file position int32 BE], 8
/// bytes each. An entry maps the last offset of a batch to the position where that batch starts;
/// offsets and positions both strictly increase. A lookup for offset O gives the greatest entry
/// whose offset ≤ O, from which the log is scanned forward.
/// </summary>
internal sealed class OffsetIndex : IndexFile
{
    public const int Size = 8;

    public OffsetIndex(string path, long baseOffset, int maxIndexSize, bool writable)
        : base(path, baseOffset, maxIndexSize, Size, writable)
    {
    }

    public long LastOffset => Entries == 0 ? BaseOffset : BaseOffset + ReadInt32(Entries - 1, 0);

    public int LastPosition => Entries == 0 ? 0 : ReadInt32(Entries - 1, 4);

    public (long Offset, int Position) EntryAt(int i) => (BaseOffset + ReadInt32(i, 0), ReadInt32(i, 4));

    public void Append(long offset, int position)
    {
        if (IsFull)
        {
            throw new InvalidOperationException($"index {Path} is full");
        }
        if (Entries > 0 && (offset <= LastOffset || position <= LastPosition))
        {
            throw new InvalidOperationException($"index {Path}: entry ({offset}, {position}) does not follow ({LastOffset}, {LastPosition})");
        }
        EnsureCapacity(Entries + 1);
        var e = WritableEntry(Entries);
        BinaryPrimitives.WriteInt32BigEndian(e, checked((int)(offset - BaseOffset)));
        BinaryPrimitives.WriteInt32BigEndian(e[4..], position);
        Entries++;
    }

    /// <summary>Greatest entry with offset ≤ <paramref name="target"/>, or (BaseOffset, 0).</summary>
    public (long Offset, int Position) Lookup(long target)
    {
        var lo = 0;
        var hi = Entries - 1;
        var found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (BaseOffset + ReadInt32(mid, 0) <= target)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found < 0 ? (BaseOffset, 0) : EntryAt(found);
    }

    /// <summary>
    /// Position of the last entry at or before <paramref name="maxPosition"/> whose offset is below
    /// <paramref name="maxOffsetExclusive"/>, or -1: a batch boundary a read can jump to without
    /// walking every header before it.
    /// </summary>
    public int FloorPosition(long maxPosition, long maxOffsetExclusive)
    {
        var lo = 0;
        var hi = Entries - 1;
        var found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (ReadInt32(mid, 4) <= maxPosition)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        while (found >= 0 && BaseOffset + ReadInt32(found, 0) >= maxOffsetExclusive)
        {
            found--;
        }
        return found < 0 ? -1 : ReadInt32(found, 4);
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

    /// <summary>Removes entries pointing at or past <paramref name="position"/>.</summary>
    public void TruncateToPosition(int position)
    {
        while (Entries > 0 && LastPosition >= position)
        {
            WritableEntry(Entries - 1).Clear();
            Entries--;
        }
    }

    /// <summary>
    /// Cheap structural check at load: whole entries, offsets and positions strictly increasing and
    /// inside the log. Deeper checks (the entry's batch really holds that offset) are the caller's.
    /// </summary>
    public bool IsSane(long logSize, out string? problem)
    {
        problem = null;
        if (!LengthWasValid)
        {
            problem = "file length is not a multiple of 8";
            return false;
        }
        long prevOffset = -1, prevPosition = -1;
        for (var i = 0; i < Entries; i++)
        {
            var rel = ReadInt32(i, 0);
            var pos = ReadInt32(i, 4);
            if (rel < 0 || rel <= prevOffset || pos <= prevPosition || pos >= logSize)
            {
                problem = $"entry {i} (relative offset {rel}, position {pos}) is out of order or outside the log";
                return false;
            }
            prevOffset = rel;
            prevPosition = pos;
        }
        return true;
    }
}
