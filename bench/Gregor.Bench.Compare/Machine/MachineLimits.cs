using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Gregor.Bench.Compare.Machine;

/// <summary>
/// The machine's own limits, measured in the same run as the servers:
/// sequential file write (to the page cache, and with the final fsync), sequential re-read (page cache),
/// and TCP throughput over loopback between this process and a child process that discards.
/// All figures in MB/s (10^6 bytes per second).
/// </summary>
public sealed record MachineLimits(double FileWriteMBps, double FileWriteFsyncMBps, double FileReadMBps, double LoopbackMBps)
{
    private const int Chunk = 1 << 20;

    /// <summary>
    /// A record that crosses loopback and is then written to a file, one after the other:
    /// 1 / (1/loopback + 1/file write to the page cache).
    /// </summary>
    public double LoopbackPlusWriteMBps => 1 / ((1 / LoopbackMBps) + (1 / FileWriteMBps));

    /// <summary>Read from the page cache, then sent over loopback: 1 / (1/read + 1/loopback).</summary>
    public double ReadPlusLoopbackMBps => 1 / ((1 / FileReadMBps) + (1 / LoopbackMBps));

    public static async Task<MachineLimits> MeasureAsync(string dir, long bytes, string selfDll)
    {
        var path = Path.Combine(dir, "machine-limit.bin");
        var buffer = new byte[Chunk];
        Random.Shared.NextBytes(buffer);
        try
        {
            double write = 0, writeFsync = 0, read = 0;
            for (var round = 0; round < 3; round++)
            {
                File.Delete(path);
                var sw = Stopwatch.StartNew();
                using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None))
                {
                    for (long done = 0; done < bytes; done += Chunk)
                    {
                        file.Write(buffer);
                    }
                    write = Math.Max(write, bytes / sw.Elapsed.TotalSeconds / 1e6);
                    file.Flush(flushToDisk: true);
                }
                writeFsync = Math.Max(writeFsync, bytes / sw.Elapsed.TotalSeconds / 1e6);

                sw.Restart();
                using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None, 1, FileOptions.SequentialScan))
                {
                    while (file.Read(buffer) > 0)
                    {
                    }
                }
                read = Math.Max(read, bytes / sw.Elapsed.TotalSeconds / 1e6);
            }
            var loopback = await LoopbackAsync(bytes, selfDll);
            return new MachineLimits(write, writeFsync, read, loopback);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Best of three: this process writes <paramref name="bytes"/> to a `tcp-sink` child, which answers one byte at EOF.</summary>
    private static async Task<double> LoopbackAsync(long bytes, string selfDll)
    {
        double best = 0;
        for (var round = 0; round < 3; round++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            using var child = Process.Start(new ProcessStartInfo("dotnet", [selfDll, "tcp-sink", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })
                ?? throw new InvalidOperationException("could not start the tcp-sink child");
            using var socket = await listener.AcceptSocketAsync().WaitAsync(TimeSpan.FromSeconds(30));
            var buffer = new byte[256 << 10];
            var sw = Stopwatch.StartNew();
            for (long done = 0; done < bytes; done += buffer.Length)
            {
                await socket.SendAsync(buffer);
            }
            socket.Shutdown(SocketShutdown.Send);
            await socket.ReceiveAsync(new byte[1]);
            best = Math.Max(best, bytes / sw.Elapsed.TotalSeconds / 1e6);
            await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        return best;
    }

    /// <summary>The child side: connect, read and discard until EOF, answer one byte.</summary>
    public static int RunSink(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
        var buffer = new byte[256 << 10];
        while (socket.Receive(buffer) > 0)
        {
        }
        socket.Send(new byte[1]);
        return 0;
    }
}
