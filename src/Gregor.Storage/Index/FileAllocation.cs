using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Gregor.Storage.Index;

/// <summary>
/// Real allocation of file blocks for memory-mapped files. Growing a file with ftruncate (what
/// <see cref="FileStream.SetLength"/> does) leaves holes; the first store into a hole through a
/// mapping must allocate a block, and when the volume is full that store raises SIGBUS instead of
/// returning an error. Allocating first (posix_fallocate on Linux, writing zeros elsewhere) turns
/// a full disk into an <see cref="IOException"/> at a point where nothing has been written.
/// </summary>
internal static partial class FileAllocation
{
    private const int SeekHole = 4;
    private const int OperationNotSupported = 95;
    private const int InvalidArgument = 22;

    /// <summary>Allocates [<paramref name="offset"/>, +<paramref name="length"/>) of the file; throws <see cref="IOException"/> when the volume cannot.</summary>
    public static void Allocate(SafeFileHandle file, long offset, long length)
    {
        if (length <= 0)
        {
            return;
        }
        if (OperatingSystem.IsLinux())
        {
            int error;
            try
            {
                error = PosixFallocate(file, offset, length);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                error = OperationNotSupported;
            }
            if (error == 0)
            {
                return;
            }
            if (error is not (OperationNotSupported or InvalidArgument))
            {
                throw new IOException($"{Marshal.GetPInvokeErrorMessage(error)} (allocating {length} bytes at {offset})", error);
            }
        }
        WriteZeros(file, offset, length);
    }

    /// <summary>
    /// Offset of the first hole in the first <paramref name="length"/> bytes, or <paramref name="length"/>
    /// when there is none (or the system cannot tell: SEEK_HOLE is Linux's, and a file system
    /// without it reports the end of the file).
    /// </summary>
    public static long FirstHole(SafeFileHandle file, long length)
    {
        if (length <= 0 || !OperatingSystem.IsLinux())
        {
            return length;
        }
        try
        {
            var hole = LSeek(file, 0, SeekHole);
            return hole < 0 ? length : Math.Min(hole, length);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return length;
        }
    }

    private static void WriteZeros(SafeFileHandle file, long offset, long length)
    {
        var zeros = new byte[(int)Math.Min(length, 64 * 1024)];
        for (var done = 0L; done < length; done += zeros.Length)
        {
            RandomAccess.Write(file, zeros.AsSpan(0, (int)Math.Min(zeros.Length, length - done)), offset + done);
        }
    }

    /// <summary>posix_fallocate returns the error number instead of setting errno.</summary>
    [LibraryImport("libc", EntryPoint = "posix_fallocate")]
    private static partial int PosixFallocate(SafeFileHandle fd, long offset, long length);

    [LibraryImport("libc", EntryPoint = "lseek")]
    private static partial long LSeek(SafeFileHandle fd, long offset, int whence);
}
