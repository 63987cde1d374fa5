using System.Runtime.CompilerServices;

namespace Gregor.EndToEnd.Tests.Support;

/// <summary>
/// The tests' own Confluent.Kafka clients use the librdkafka shipped with the package, never
/// another one the machine's loader finds first (see <see cref="Gregor.Tools.BundledLibrdkafka"/>,
/// compiled into this assembly too). Loaded once, before any test creates a client.
/// </summary>
internal static class BundledLibrdkafkaInitializer
{
#pragma warning disable CA2255 // A test assembly is this initializer's only user: it must run before any test does.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Load() => Gregor.Tools.BundledLibrdkafka.Load();
}
