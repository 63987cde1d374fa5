using System.Buffers;
using Gregor.Storage;

namespace Gregor.Broker.Fetching;

/// <summary>
/// Record bytes that stay in their segment file: a Fetch response carries this memory instead of
/// a copy, and the connection sends it with sendfile (page cache to socket, no managed copy).
/// Anything that asks for the bytes themselves (<see cref="GetSpan"/>, e.g. a test decoding the
/// response) gets them read from the file once, on demand. The segment's handle stays open at least
/// file.delete.delay.ms after the segment is deleted, longer than one response takes to send.
/// </summary>
public sealed class FileRegionMemory(FileRegion region) : MemoryManager<byte>
{
    private byte[]? _copy;

    public FileRegion Region { get; } = region;

    /// <summary>The memory, without reading the file (the base implementation would).</summary>
    public override Memory<byte> Memory => CreateMemory(Region.Length);

    public override Span<byte> GetSpan()
    {
        if (_copy is null)
        {
            var copy = new byte[Region.Length];
            var read = RandomAccess.Read(Region.Handle!, copy, Region.Position);
            if (read != copy.Length)
            {
                throw new IOException($"{Region.Path}: read {read} of {copy.Length} bytes at {Region.Position}");
            }
            _copy = copy;
        }
        return _copy;
    }

    public override MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException("file-backed record bytes cannot be pinned");

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
