using System.Buffers;

namespace Gregor.Broker.Network;

/// <summary>
/// The bytes of one request frame, from a <see cref="RequestBufferPool"/>: a rented array, or
/// memory mapped for this frame alone when it is large. Owned by one connection; disposing it
/// (once, after the request has been handled or the frame abandoned) gives the memory back and
/// frees its share of queued.max.request.bytes. Nothing may hold on to <see cref="Memory"/> after
/// that: a mapped frame's pages are gone.
/// </summary>
public sealed class FrameBuffer : IDisposable
{
    private readonly RequestBufferPool? _countedBy;
    private readonly int _length;
    private byte[]? _array;
    private MappedMemory? _mapped;

    internal FrameBuffer(int length, RequestBufferPool? countedBy)
    {
        _length = length;
        if (length > RequestBufferPool.PooledFrameBytes)
        {
            _mapped = new MappedMemory(length);
        }
        else
        {
            _array = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        }
        _countedBy = countedBy;
    }

    public Memory<byte> Memory =>
        _mapped is not null ? _mapped.Memory
        : _array is not null ? _array.AsMemory(0, _length)
        : throw new ObjectDisposedException(nameof(FrameBuffer));

    public void Dispose()
    {
        if (_array is null && _mapped is null)
        {
            return;
        }
        if (_array is not null)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = null;
        }
        if (_mapped is not null)
        {
            ((IDisposable)_mapped).Dispose();
            _mapped = null;
        }
        _countedBy?.Release(_length);
    }
}
