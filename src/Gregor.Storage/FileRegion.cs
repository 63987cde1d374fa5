using Microsoft.Win32.SafeHandles;

namespace Gregor.Storage;

/// <summary>
/// A run of whole record batches inside one segment file: what a read returns, so the fetch path
/// can send it with sendfile or copy it. The handle stays valid at least file.delete.delay.ms after
/// the segment is deleted or replaced (it is renamed, then closed later), so a region is good for
/// the duration of one response. Length 0 means no data.
/// </summary>
public readonly record struct FileRegion(SafeFileHandle? Handle, string Path, long Position, int Length)
{
    public static FileRegion Empty { get; } = new(null, "", 0, 0);

    public bool IsEmpty => Length == 0;

    /// <summary>Copies the region into <paramref name="destination"/> (at least <see cref="Length"/> bytes); returns bytes copied.</summary>
    public int CopyTo(Span<byte> destination)
    {
        if (Length == 0 || Handle is null)
        {
            return 0;
        }
        var total = 0;
        while (total < Length)
        {
            var n = RandomAccess.Read(Handle, destination.Slice(total, Length - total), Position + total);
            if (n == 0)
            {
                break;
            }
            total += n;
        }
        return total;
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        var n = CopyTo(bytes);
        return n == Length ? bytes : bytes[..n];
    }
}
