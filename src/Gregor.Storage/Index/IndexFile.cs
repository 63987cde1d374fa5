using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;

namespace Gregor.Storage.Index;

/// <summary>
/// A memory-mapped file of fixed-size big-endian entries, sorted by key. As in Kafka, an index
/// open for appends is pre-allocated to its maximum size (the tail is zeros) and trimmed to its
/// entries when the segment rolls or the log closes; a closed index has exactly its entries.
/// Owned by its segment; mutations happen under the partition lock.
/// </summary>
internal abstract unsafe class IndexFile : IDisposable
{
    /// <summary>Descriptors an open index holds: its file stream stays open while the file is mapped.</summary>
    internal const int DescriptorsHeld = 1;

    private FileStream? _file;
    private MemoryMappedFile? _map;
    private MemoryMappedViewAccessor? _view;
    private byte* _pointer;
    private int _mappedLength;

    protected IndexFile(string path, long baseOffset, int maxIndexSize, int entrySize, bool writable)
    {
        Path = path;
        BaseOffset = baseOffset;
        EntrySize = entrySize;
        ExistedOnOpen = File.Exists(path);
        _file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1);
        var length = _file.Length;
        Entries = (int)Math.Min(int.MaxValue, length / entrySize);
        LengthWasValid = length % entrySize == 0;
        MaxIndexSize = Math.Max(entrySize, maxIndexSize / entrySize * entrySize);
        try
        {
            Map(writable ? Math.Max(MaxIndexSize, Entries * entrySize) : Entries * entrySize);
        }
        catch
        {
            // A failed open (out of descriptors, or of address space) holds nothing.
            Dispose();
            throw;
        }
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

    /// <summary>False when the file length was not a whole number of entries (a torn write).</summary>
    public bool LengthWasValid { get; }

    public long SizeInBytes => (long)Entries * EntrySize;

    protected ReadOnlySpan<byte> Entry(int i) => new(_pointer + ((long)i * EntrySize), EntrySize);

    protected Span<byte> WritableEntry(int i) => new(_pointer + ((long)i * EntrySize), EntrySize);

    protected int ReadInt32(int i, int at) => BinaryPrimitives.ReadInt32BigEndian(Entry(i)[at..]);

    protected long ReadInt64(int i, int at) => BinaryPrimitives.ReadInt64BigEndian(Entry(i)[at..]);

    /// <summary>Drops every entry (the file stays pre-allocated).</summary>
    public void Reset()
    {
        // Truncating to zero and growing back gives a sparse file of zeros without writing
        // (clearing a 10 MiB mapping page by page made recovering an empty segment take ~100 ms).
        var length = _mappedLength;
        Entries = 0;
        Map(0);
        Map(length);
    }

    /// <summary>Shrinks the file to its entries (on roll and close).</summary>
    public void TrimToValidSize() => Map(Entries * EntrySize);

    /// <summary>Grows the file back to the maximum size so it can take appends again.</summary>
    public void ResizeToMax() => Map(Math.Max(MaxIndexSize, Entries * EntrySize));

    public void Flush()
    {
        _view?.Flush();
        _file?.Flush(flushToDisk: true);
    }

    public void Rename(string newPath)
    {
        File.Move(Path, newPath, overwrite: true);
        Path = newPath;
    }

    public void Dispose()
    {
        Unmap();
        _file?.Dispose();
        _file = null;
    }

    public void DisposeAndDelete()
    {
        Dispose();
        File.Delete(Path);
    }

    private void Map(int length)
    {
        Unmap();
        var file = _file ?? throw new ObjectDisposedException(Path);
        if (file.Length != length)
        {
            file.SetLength(length);
        }
        _mappedLength = length;
        if (length == 0)
        {
            return;
        }
        _map = MemoryMappedFile.CreateFromFile(file, null, length, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
        _view = _map.CreateViewAccessor(0, length, MemoryMappedFileAccess.ReadWrite);
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
        _map?.Dispose();
        _map = null;
        _pointer = null;
        _mappedLength = 0;
    }
}
