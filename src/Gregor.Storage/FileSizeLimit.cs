using System.Runtime.InteropServices;

namespace Gregor.Storage;

/// <summary>
/// RLIMIT_FSIZE (ulimit -f): a write past the limit sends SIGXFSZ, whose default action ends the
/// process. With the signal ignored the write fails with EFBIG instead, which the log treats as
/// it treats a full disk (the log dir goes offline).
/// </summary>
internal static partial class FileSizeLimit
{
    private const int SigXfsz = 25;
    private static readonly nint SigIgn = 1;

    public static void IgnoreSignal()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        try
        {
            Signal(SigXfsz, SigIgn);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Without libc's signal() the default action stays; nothing else depends on it.
        }
    }

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint Signal(int signal, nint handler);
}
