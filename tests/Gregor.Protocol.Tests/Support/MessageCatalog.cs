using System.Reflection;
using Gregor.Protocol.Messages;
using Gregor.Protocol.Wire;

namespace Gregor.Protocol.Tests.Support;

/// <summary>One generated request or response type, reachable without knowing it at compile time.</summary>
public sealed record MessageType(
    Type Type,
    short ApiKey,
    short LowestVersion,
    short HighestVersion,
    Func<ReadOnlyMemory<byte>, short, (object Message, int Consumed)> Read)
{
    public string Name => Type.Name;

    public IEnumerable<short> Versions => Enumerable.Range(LowestVersion, HighestVersion - LowestVersion + 1).Select(v => (short)v);

    public override string ToString() => Name;
}

/// <summary>Every type implementing <see cref="IKafkaMessage{TSelf}"/>, found by reflection.</summary>
public static class MessageCatalog
{
    public static readonly IReadOnlyList<MessageType> All = Discover();

    private static readonly Dictionary<string, MessageType> ByName = All.ToDictionary(m => m.Name, StringComparer.Ordinal);

    public static MessageType Get(string name) => ByName[name];

    /// <summary>Names of every message type, as xunit theory data.</summary>
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var message in All)
        {
            data.Add(message.Name);
        }
        return data;
    }

    public static byte[] Write(object message, short version)
    {
        using var writer = new KafkaWriter();
        ((IKafkaMessage)message).Write(writer, version);
        return writer.ToArray();
    }

    private static List<MessageType> Discover()
    {
        var readOpen = typeof(MessageCatalog).GetMethod(nameof(ReadAs), BindingFlags.NonPublic | BindingFlags.Static)!;
        var result = new List<MessageType>();
        foreach (var type in typeof(IKafkaMessage).Assembly.GetTypes().OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            var implementsSelf = type.GetInterfaces().Any(i =>
                i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IKafkaMessage<>) && i.GetGenericArguments()[0] == type);
            if (!implementsSelf)
            {
                continue;
            }
            short Static(string name) => (short)type.GetProperty(name, BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
            // A delegate (not MethodInfo.Invoke) so exceptions are not wrapped in TargetInvocationException.
            var read = readOpen.MakeGenericMethod(type).CreateDelegate<Func<ReadOnlyMemory<byte>, short, (object, int)>>();
            result.Add(new MessageType(type, Static("ApiKey"), Static("LowestVersion"), Static("HighestVersion"), read));
        }
        return result;
    }

    private static (object, int) ReadAs<T>(ReadOnlyMemory<byte> bytes, short version)
        where T : IKafkaMessage<T>
    {
        var reader = new KafkaReader(bytes);
        var message = T.Read(ref reader, version);
        return (message, reader.Position);
    }
}
