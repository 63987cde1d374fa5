using System.Runtime.InteropServices;
using Gregor.Broker.Fetching;
using Gregor.Protocol.Wire;
using Gregor.Storage;

namespace Gregor.Broker.Tests.Fetching;

/// <summary>
/// The zero-copy fetch path: record bytes that live in a file are referenced by the response
/// writer, not read into managed memory, and still give the right bytes when someone asks for them.
/// </summary>
public sealed class FileRegionMemoryTests
{
    [Fact]
    public void The_writer_references_file_bytes_without_reading_them()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [.. Enumerable.Range(0, 300).Select(i => (byte)i)]);
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
            var manager = new FileRegionMemory(new FileRegion(handle, path, 100, 50));
            using var writer = new KafkaWriter();
            writer.WriteInt32(7);
            writer.WriteRecords(manager.Memory, flexible: false);
            writer.WriteInt16(1);

            var segments = writer.Segments.ToList();
            Assert.Equal(3, segments.Count);
            Assert.True(MemoryMarshal.TryGetMemoryManager(segments[1], out FileRegionMemory? referenced));
            Assert.Same(manager, referenced);
            Assert.Equal(4 + 4 + 50 + 2, writer.Length);

            // Asked for its bytes, the memory reads them from the file region.
            var bytes = writer.ToArray();
            Assert.Equal(50, BitConverter.ToInt32([.. bytes.AsSpan(4, 4).ToArray().Reverse()]));
            Assert.Equal(Enumerable.Range(100, 50).Select(i => (byte)i), bytes.AsSpan(8, 50).ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
