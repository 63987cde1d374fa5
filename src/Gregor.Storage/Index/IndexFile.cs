using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;

namespace Gregor.Storage.Index;

/// <summary>
/// A memory-mapped file of fixed-size big-endian entries, sorted by key. As in Kafka, an index
/// open for appends is sized to its maximum (a sparse tail) and trimmed to its entries when the
/// segment rolls or the log closes; a closed index has exactly its entries.
/// <para>
/// No descriptor is held: the file is opened only to size and map it (and, rarely, to allocate
/// more of it), then closed, so a segment costs one descriptor, its log's. The mapping outlives
/// the descriptor.
/// </para>
/// <para>
/// Invariant: no byte of the mapping past <see cref="_allocatedBytes"/> is ever touched, for
/// reading or writing. Pages there may be holes of a sparse file; touching one when the volume is
/// full (or past RLIMIT_FSIZE) raises SIGBUS, which kills the process. Entries are allocated
/// for real (<see cref="FileAllocation"/>) in chunks before they are written, so a full disk is an
/// <see cref="IOException"/> from <see cref="EnsureCapacity"/>, never a fault; every entry access
/// is bounds-checked against the allocated region.
/// </para>
/// Owned by its segment; mutations happen under the partition lock.
/// </summary>
internal abstract unsafe class IndexFile : IDisposable
{
    /// <summary>
    /// Descriptors an open index holds: none, since the file is opened only to size or map it and
    /// a mapping stays valid after its descriptor is closed.
    /// </summary>
    internal const int DescriptorsHeld = 0;

    /// <summary>Bytes allocated ahead of the entries when more are needed (a few opens per segment).</summary>
    private const int AllocationChunk = 16 * 1024;

    private MemoryMappedViewAccessor? _view;
    private byte* _pointer;
    private int _mappedLength;
    private int _allocatedBytes;
    private int _allocatedEntries;
    private bool _disposed;

    protected IndexFile(string path, long baseOffset, int maxIndexSize, int entrySize, bool writable)
    {
        Path = path;
        BaseOffset = baseOffset;
        EntrySize = entrySize;
        MaxIndexSize = Math.Max(entrySize, maxIndexSize / entrySize * entrySize);
        ExistedOnOpen = File.Exists(path);
        using var file = OpenFile(FileMode.OpenOrCreate);
        var length = file.Length;
        // Longer than any mapping can be, or ending in a torn entry: not trusted, rebuilt from the log.
        var limit = int.MaxValue / entrySize * entrySize;
        LengthWasValid = length % entrySize == 0 && length <= limit;
        var readable = Math.Min(length, limit);
        // A hole inside the entries is a pre-allocated tail that was never trimmed (a crash, or a
        // failed dir): only the entries before it were written, and only they may be read.
        var hole = FileAllocation.FirstHole(file.SafeFileHandle, readable);
        if (hole < readable)
        {
            LengthWasValid = false;
            readable = hole;
        }
        Entries = (int)(readable / entrySize);
        Map(file, writable ? Math.Max(MaxIndexSize, Entries * entrySize) : Entries * entrySize, Entries * entrySize);
    }

    public string Path { get; private set; }

    /// <summary>False when the file had to be created: a missing index is rebuilt from the log.</summary>
    public bool ExistedOnOpen { get; }

    public long BaseOffset { get; }

    public int EntrySize { get; }

    public int Entries { get; protected set; }

    public int MaxIndexSize { get; }

    public int MaxEntries => _mappedLength / EntrySize;

    public bool IsFull => Entries >= MaxEntries;

    /// <summary>
    /// False when the file could not be taken as it was: its length was not a whole number of
    /// entries (a torn write), too large to map, or it had unallocated pages among its entries.
    /// </summary>
    public bool LengthWasValid { get; }

    public long SizeInBytes => (long)Entries * EntrySize;

    protected ReadOnlySpan<byte> Entry(int i) => new(_pointer + Checked(i), EntrySize);

    protected Span<byte> WritableEntry(int i) => new(_pointer + Checked(i), EntrySize);

    protected int ReadInt32(int i, int at) => BinaryPrimitives.ReadInt32BigEndian(Entry(i)[at..]);

    protected long ReadInt64(int i, int at) => BinaryPrimitives.ReadInt64BigEndian(Entry(i)[at..]);

    /// <summary>
    /// Makes room for <paramref name="entries"/> entries in the allocated region, allocating the
    /// next chunk of the file when needed. Throws <see cref="IOException"/> (ENOSPC, EFBIG, …)
    /// before anything is written when the volume cannot take it.
    /// </summary>
    public void EnsureCapacity(int entries)
    {
        var needed = (long)Math.Min(entries, MaxEntries) * EntrySize;
        if (needed <= _allocatedBytes)
        {
            return;
        }
        var target = (int)Math.Min(_mappedLength, (needed + AllocationChunk - 1) / AllocationChunk * AllocationChunk);
        using (var file = OpenFile(FileMode.Open))
        {
            FileAllocation.Allocate(file.SafeFileHandle, _allocatedBytes, target - _allocatedBytes);
        }
        SetAllocated(target);
    }

    /// <summary>Drops every entry (the file stays sized to its maximum).</summary>
    public void Reset()
    {
        // Truncating to zero and growing back gives a sparse file of zeros without writing
        // (clearing a 10 MiB mapping page by page made recovering an empty segment take ~100 ms).
        var length = _mappedLength;
        Entries = 0;
        Remap(0);
        Remap(length);
    }

    /// <summary>Shrinks the file to its entries (on roll and close).</summary>
    public void TrimToValidSize() => Remap(Entries * EntrySize);

    /// <summary>Grows the file back to the maximum size so it can take appends again.</summary>
    public void ResizeToMax() => Remap(Math.Max(MaxIndexSize, Entries * EntrySize));

    /// <summary>Writes the mapping's dirty pages to the file (msync).</summary>
    public void Flush() => _view?.Flush();

    public void Rename(string newPath)
    {
        File.Move(Path, newPath, overwrite: true);
        Path = newPath;
    }

    public void Dispose()
    {
        Unmap();
        _disposed = true;
    }

    public void DisposeAndDelete()
    {
        Dispose();
        File.Delete(Path);
    }

    private long Checked(int i)
    {
        if ((uint)i >= (uint)_allocatedEntries)
        {
            throw new InvalidOperationException($"index {Path}: entry {i} is outside the {_allocatedEntries} entries that are mapped and allocated");
        }
        return (long)i * EntrySize;
    }

    private FileStream OpenFile(FileMode mode) =>
        new(Path, mode, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1);

    private void SetAllocated(int bytes)
    {
        _allocatedBytes = Math.Min(bytes, _mappedLength);
        _allocatedEntries = _allocatedBytes / EntrySize;
    }

    private void Remap(int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var allocated = _allocatedBytes;
        Unmap();
        using var file = OpenFile(FileMode.Open);
        Map(file, length, allocated);
    }

    /// <summary>Sizes the file to <paramref name="length"/> and maps it; <paramref name="allocated"/> bytes from the start are known to be backed.</summary>
    private void Map(FileStream file, int length, int allocated)
    {
        if (file.Length != length)
        {
            try
            {
                file.SetLength(length);
            }
            catch (ArgumentOutOfRangeException e)
            {
                // How .NET reports EFBIG (past ulimit -f): an I/O error of this file.
                throw new IOException($"{Path}: cannot be sized to {length} bytes: {e.Message}", e);
            }
        }
        _mappedLength = length;
        // Shrinking drops allocated bytes; growing adds only holes.
        SetAllocated(Math.Min(allocated, length));
        if (length == 0)
        {
            return;
        }
        using var map = MemoryMappedFile.CreateFromFile(file, null, length, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
        _view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.ReadWrite);
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _pointer = p + _view.PointerOffset;
    }

    private void Unmap()
    {
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _view = null;
        }
        _pointer = null;
        _mappedLength = 0;
        _allocatedBytes = 0;
        _allocatedEntries = 0;
    }
}
