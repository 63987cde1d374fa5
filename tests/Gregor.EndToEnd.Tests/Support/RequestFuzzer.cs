using System.Buffers.Binary;
using System.Collections;
using System.Reflection;
using Gregor.Protocol.Messages;
using Gregor.Protocol.Records;
using Gregor.Protocol.Wire;

namespace Gregor.EndToEnd.Tests.Support;

/// <summary>
/// Makes structure-aware mutations of valid requests for every API key and version Kafka defines:
/// a generated request filled field by field (names from a small vocabulary so the state a run
/// creates stays bounded, edge numbers, lists with repeated entries, strings too long for an int16
/// length, valid or broken record batches), then, most of the time, damaged on the wire (flipped
/// bytes, lengths overwritten with extremes, truncation, trailing junk, a lying size prefix).
/// CreateTopics and CreatePartitions keep small partition counts and are not damaged on the wire,
/// so a run cannot ask the broker for millions of partitions.
/// </summary>
public sealed class RequestFuzzer(int seed)
{
    private static readonly Assembly Protocol = typeof(ApiMessages).Assembly;

    private static readonly MethodInfo BuildMethod = typeof(RawConnection).GetMethod(nameof(RawConnection.BuildRequest))!;

    public static readonly string[] Topics = ["fuzz-topic", "fuzz-other"];

    private static readonly string[] Vocabulary = [.. Topics, "fuzz-group", "", "__consumer_offsets", "0", "range", "consumer", "cleanup.policy", "retention.ms", "PLAIN"];

    private readonly Random _random = new(seed);

    /// <summary>Every (API, version) the definitions cover, unimplemented APIs included.</summary>
    public static IReadOnlyList<(ApiMessageInfo Api, short Version)> AllVersions { get; } =
        [.. ApiMessages.All.SelectMany(a => Enumerable.Range(a.MinVersion, a.MaxVersion - a.MinVersion + 1).Select(v => (a, (short)v)))];

    /// <summary>A valid request frame (size prefix included) for one API and version.</summary>
    public byte[] Valid(ApiMessageInfo api, short version, int correlationId, bool extremes = false)
    {
        var type = Protocol.GetType($"{typeof(ApiMessages).Namespace}.{api.Name}Request")!;
        var request = Fill(type, depth: 0, extremes, flexible: api.IsFlexible(version));
        Constrain(api.Key, request);
        return (byte[])BuildMethod.MakeGenericMethod(type).Invoke(null, [request, version, correlationId, "fuzz"])!;
    }

    /// <summary>A mutated request frame for a random API and version.</summary>
    public byte[] Next(int correlationId, out string description)
    {
        var (api, version) = AllVersions[_random.Next(AllVersions.Count)];
        var frame = Valid(api, version, correlationId, extremes: _random.Next(3) == 0);
        description = $"{api.Name} v{version}";
        if (api.Key is ApiKey.CreateTopics or ApiKey.CreatePartitions || _random.Next(4) == 0)
        {
            return frame;
        }
        return Damage(frame);
    }

    private byte[] Damage(byte[] frame)
    {
        var bytes = new List<byte>(frame);
        // The header's API key and version (bytes 4-7) are left alone most of the time, so the
        // damage reaches the body of the API chosen.
        int Position() => bytes.Count <= 9 ? 4 : _random.Next(_random.Next(10) == 0 ? 4 : 8, bytes.Count);
        var mutations = 1 + _random.Next(3);
        for (var i = 0; i < mutations && bytes.Count > 8; i++)
        {
            switch (_random.Next(6))
            {
                case 0:
                    bytes[Position()] ^= (byte)(1 << _random.Next(8));
                    break;
                case 1:
                    bytes[Position()] = (byte)_random.Next(256);
                    break;
                case 2:
                    {
                        // An int16 or int32 length or count replaced by an extreme.
                        int[] extremes = [-1, 0, 1, 0x7fff, 0x8000, 40_000, 0xffff, int.MaxValue, int.MinValue, 1 << 20];
                        var value = extremes[_random.Next(extremes.Length)];
                        var at = Position();
                        var width = _random.Next(2) == 0 ? 2 : 4;
                        for (var b = 0; b < width && at + b < bytes.Count; b++)
                        {
                            bytes[at + b] = (byte)(value >> (8 * (width - 1 - b)));
                        }
                        break;
                    }
                case 3:
                    {
                        var at = Position();
                        bytes.RemoveRange(at, bytes.Count - at);
                        break;
                    }
                case 4:
                    for (var n = _random.Next(1, 64); n > 0; n--)
                    {
                        bytes.Add((byte)_random.Next(256));
                    }
                    break;
                default:
                    {
                        // A varint-looking run (compact lengths and tagged-field counts).
                        var at = Position();
                        for (var b = 0; b < 5 && at + b < bytes.Count; b++)
                        {
                            bytes[at + b] = b == 4 ? (byte)0x0f : (byte)0xff;
                        }
                        break;
                    }
            }
        }
        if (bytes.Count < 8)
        {
            return frame;
        }
        var result = bytes.ToArray();
        // The size prefix matches the bytes sent; a lying prefix would only park the connection
        // until the client gives up, which the read timeout already covers.
        BinaryPrimitives.WriteInt32BigEndian(result, result.Length - 4);
        return result;
    }

    private static void Constrain(ApiKey key, object request)
    {
        if (key == ApiKey.CreateTopics && request is CreateTopicsRequest create)
        {
            foreach (var topic in create.Topics)
            {
                topic.Name = Topics[topic.NumPartitions & 1];
                topic.NumPartitions = Math.Clamp(topic.NumPartitions, -1, 3);
                topic.Assignments = [.. topic.Assignments.Take(3)];
            }
        }
        if (key == ApiKey.CreatePartitions && request is CreatePartitionsRequest partitions)
        {
            foreach (var topic in partitions.Topics)
            {
                topic.Count = Math.Clamp(topic.Count, -1, 4);
            }
        }
    }

    private object Fill(Type type, int depth, bool extremes, bool flexible)
    {
        var instance = Activator.CreateInstance(type)!;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.CanWrite && _random.Next(8) != 0)
            {
                property.SetValue(instance, Value(property, property.PropertyType, depth, extremes, flexible));
            }
        }
        return instance;
    }

    private object? Value(PropertyInfo property, Type type, int depth, bool extremes, bool flexible)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(string))
        {
            return Text(extremes, flexible);
        }
        if (underlying == typeof(ReadOnlyMemory<byte>))
        {
            return property.Name == "Records" && _random.Next(3) != 0 ? Batch() : new ReadOnlyMemory<byte>(RandomBytes(_random.Next(0, 40)));
        }
        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(List<>))
        {
            var list = (IList)Activator.CreateInstance(underlying)!;
            var element = underlying.GetGenericArguments()[0];
            var count = depth > 3 ? 0 : _random.Next(0, 3);
            for (var i = 0; i < count; i++)
            {
                list.Add(Value(property, element, depth + 1, extremes, flexible));
            }
            if (list.Count > 0 && extremes && _random.Next(2) == 0)
            {
                list.Add(list[0]); // the same entry twice
            }
            return list;
        }
        if (underlying.IsClass && underlying != typeof(string))
        {
            return depth > 4 ? Activator.CreateInstance(underlying) : Fill(underlying, depth + 1, extremes, flexible);
        }
        return Number(underlying, extremes);
    }

    private object Number(Type type, bool extremes)
    {
        long[] edges = [-1, 0, 1, -2, 2, 3, 100, int.MaxValue, int.MinValue, long.MaxValue, long.MinValue, 32767, 65535];
        var value = extremes && _random.Next(2) == 0 ? edges[_random.Next(edges.Length)] : _random.Next(-2, 10);
        return type switch
        {
            _ when type == typeof(bool) => value % 2 != 0,
            _ when type == typeof(sbyte) => (sbyte)value,
            _ when type == typeof(short) => (short)value,
            _ when type == typeof(ushort) => (ushort)value,
            _ when type == typeof(int) => (int)value,
            _ when type == typeof(uint) => (uint)value,
            _ when type == typeof(long) => value,
            _ when type == typeof(double) => (double)value,
            _ when type == typeof(Uuid) => value == 0 ? Uuid.Zero : new Uuid(value, value),
            _ => throw new InvalidOperationException($"no value for {type}"),
        };
    }

    private string Text(bool extremes, bool flexible)
    {
        if (extremes && _random.Next(6) == 0)
        {
            // Longer than any Kafka string; only a compact (flexible) length can carry it.
            return flexible ? new string('x', 40_000) : new string('y', 300);
        }
        return _random.Next(3) == 0
            ? new string([.. Enumerable.Range(0, _random.Next(1, 12)).Select(_ => "abcxyz.-_ #é"[_random.Next(12)])])
            : Vocabulary[_random.Next(Vocabulary.Length)];
    }

    private ReadOnlyMemory<byte> Batch()
    {
        var builder = new RecordBatchBuilder();
        for (var i = _random.Next(1, 5); i > 0; i--)
        {
            builder.Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), _random.Next(2) == 0 ? null : RandomBytes(4), RandomBytes(_random.Next(0, 100)));
        }
        return builder.Build();
    }

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }
}
