using System.Buffers;
using System.Runtime.InteropServices;

namespace Gregor.Broker.Network;

/// <summary>
/// Anonymous private memory mapped for one buffer and unmapped when it is disposed, so its pages
/// go back to the operating system at once (a pooled array, or the GC's large-object heap, keeps
/// them). The kernel maps a page on first touch: only what has been written occupies memory.
/// On Linux this is mmap(2)/munmap(2); elsewhere the native allocator. There is no finalizer (a
/// span over the memory may outlive every reference to its manager): the owner must dispose it.
/// </summary>
internal sealed unsafe partial class MappedMemory : MemoryManager<byte>
{
    private const int ProtRead = 0x1;
    private const int ProtWrite = 0x2;
    private const int MapPrivate = 0x02;
    private const int MapAnonymous = 0x20; // Linux's value

    private readonly int _length;
    private void* _address;

    public MappedMemory(int length)
    {
        _length = length;
        if (OperatingSystem.IsLinux())
        {
            var address = Mmap(null, (nuint)length, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
            if (address == (void*)-1)
            {
                throw new InsufficientMemoryException($"cannot map {length} bytes for a request frame (errno {Marshal.GetLastPInvokeError()})");
            }
            _address = address;
        }
        else
        {
            _address = NativeMemory.Alloc((nuint)length);
        }
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial void* Mmap(void* address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int Munmap(void* address, nuint length);

    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_address is null, this);
        return new Span<byte>(_address, _length);
    }

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ObjectDisposedException.ThrowIf(_address is null, this);
        return new MemoryHandle((byte*)_address + elementIndex);
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (_address is null)
        {
            return;
        }
        if (OperatingSystem.IsLinux())
        {
            _ = Munmap(_address, (nuint)_length);
        }
        else
        {
            NativeMemory.Free(_address);
        }
        _address = null;
    }
}
