using System.Runtime.InteropServices;

namespace Gregor.Tools;

/// <summary>
/// Makes Confluent.Kafka use a librdkafka shipped next to the program (under
/// runtimes/RID/native/ in <see cref="AppContext.BaseDirectory"/>), never another one the
/// system's loader finds first. Confluent.Kafka imports the bare name "librdkafka", which
/// dlopen looks up through LD_LIBRARY_PATH and the system directories; and where the bundled
/// librdkafka.so cannot load (it needs libsasl2.so.3, often absent) Confluent.Kafka's fallback
/// to its bundled centos8 build comes only after that lookup. With Debian's librdkafka-dev
/// installed the lookup finds librdkafka 2.0.2, which lacks functions the client calls
/// (rd_kafka_TopicCollection_of_topic_names ...). An import resolver on Confluent.Kafka's
/// assembly answers that name with the bundled file instead. (Handing the path to
/// <c>Library.Load</c> does not do it on Linux: Confluent.Kafka opens it through "libdl", which
/// glibc 2.34+ ships only as libdl.so.2, and the library opened has the soname librdkafka.so.1,
/// so the bare-name import would still load the other file.) Call <see cref="Load"/> before
/// creating the first client.
/// </summary>
public static class BundledLibrdkafka
{
    /// <summary>The bundled builds, in Confluent.Kafka's order of preference: with GSSAPI, then without.</summary>
    private static readonly string[] Candidates = ["librdkafka.so", "centos8-librdkafka.so"];

    private static readonly Lock Gate = new();
    private static bool _tried;

    /// <summary>The bundled library in use, or null when none for this platform could be loaded.</summary>
    public static string? Path { get; private set; }

    /// <summary>The loaded library's handle (for <see cref="NativeLibrary.GetExport"/>), or 0 as <see cref="Path"/> is null.</summary>
    public static nint Handle { get; private set; }

    /// <summary>Loads the bundled library (once); without a loadable one, Confluent.Kafka's own search applies.</summary>
    public static void Load()
    {
        lock (Gate)
        {
            if (_tried)
            {
                return;
            }
            _tried = true;
            var directory = NativeDirectory();
            if (directory is null)
            {
                return;
            }
            foreach (var candidate in Candidates)
            {
                var path = System.IO.Path.Combine(directory, candidate);
                if (File.Exists(path) && NativeLibrary.TryLoad(path, out var handle))
                {
                    NativeLibrary.SetDllImportResolver(typeof(Confluent.Kafka.Library).Assembly, (name, _, _) =>
                        name == "librdkafka" ? handle : IntPtr.Zero);
                    Confluent.Kafka.Library.Load();
                    Path = path;
                    Handle = handle;
                    return;
                }
            }
        }
    }

    private static string? NativeDirectory()
    {
        var rid = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 when OperatingSystem.IsLinux() => "linux-x64",
            Architecture.Arm64 when OperatingSystem.IsLinux() => "linux-arm64",
            _ => null,
        };
        return rid is null ? null : System.IO.Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native");
    }
}
