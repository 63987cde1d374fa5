using System.Collections;
using System.Reflection;
using System.Text;
using Gregor.Protocol.Wire;

namespace Gregor.Protocol.Tests.Support;

/// <summary>
/// Builds a generated message with every settable property given a random value of its type:
/// integers of each width (edges included), doubles, strings with non-ASCII text, bytes, uuids,
/// nested structs and lists of 0–3 elements. Null is used only where the property type is nullable.
/// </summary>
public sealed class RandomMessageFiller(int seed)
{
    private static readonly string[] TextPieces = ["a", "Z", "0", "-", " ", "é", "ß", "€", "日本", "😀", "\u0000"];

    private static readonly NullabilityInfoContext Nullability = new();

    private readonly Random _random = new(seed);

    public object Fill(Type type) => FillObject(type, depth: 0);

    private object FillObject(Type type, int depth)
    {
        var instance = Activator.CreateInstance(type) ?? throw new InvalidOperationException($"cannot create {type}");
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.CanWrite)
            {
                continue;
            }
            var nullable = Nullable.GetUnderlyingType(property.PropertyType) is not null
                || Nullability.Create(property).WriteState == NullabilityState.Nullable;
            property.SetValue(instance, Value(property.PropertyType, nullable, depth));
        }
        return instance;
    }

    private object? Value(Type type, bool nullable, int depth)
    {
        if (nullable && _random.Next(5) == 0)
        {
            return null;
        }
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying switch
        {
            _ when underlying == typeof(sbyte) => (sbyte)Integer(sbyte.MinValue, sbyte.MaxValue),
            _ when underlying == typeof(short) => (short)Integer(short.MinValue, short.MaxValue),
            _ when underlying == typeof(ushort) => (ushort)Integer(ushort.MinValue, ushort.MaxValue),
            _ when underlying == typeof(int) => (int)Integer(int.MinValue, int.MaxValue),
            _ when underlying == typeof(uint) => (uint)Integer(uint.MinValue, uint.MaxValue),
            _ when underlying == typeof(long) => Integer(long.MinValue, long.MaxValue),
            _ when underlying == typeof(double) => Double(),
            _ when underlying == typeof(bool) => _random.Next(2) == 0,
            _ when underlying == typeof(Uuid) => new Uuid(_random.NextInt64(long.MinValue, long.MaxValue), _random.NextInt64(long.MinValue, long.MaxValue)),
            _ when underlying == typeof(string) => Text(),
            _ when underlying == typeof(ReadOnlyMemory<byte>) => new ReadOnlyMemory<byte>(Bytes()),
            _ when underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(List<>) => List(underlying, depth),
            _ when underlying.IsClass && depth < 8 => FillObject(underlying, depth + 1),
            _ => throw new InvalidOperationException($"no random value for {type}"),
        };
    }

    /// <summary>Edges a fifth of the time (min, max, 0, -1 where it fits), otherwise uniform.</summary>
    private long Integer(long min, long max)
    {
        switch (_random.Next(10))
        {
            case 0: return min;
            case 1: return max;
            case 2: return 0;
            case 3: return min < 0 ? -1 : 1;
            default:
                var value = _random.NextInt64(long.MinValue, long.MaxValue);
                if (min == long.MinValue && max == long.MaxValue)
                {
                    return value;
                }
                var span = (ulong)(max - min) + 1;
                return min + (long)((ulong)value % span);
        }
    }

    private double Double() => _random.Next(6) switch
    {
        0 => 0.0,
        1 => double.NaN,
        2 => double.NegativeInfinity,
        3 => -0.5,
        _ => BitConverter.Int64BitsToDouble(_random.NextInt64(long.MinValue, long.MaxValue)),
    };

    private string Text()
    {
        var builder = new StringBuilder();
        var pieces = _random.Next(8);
        for (var i = 0; i < pieces; i++)
        {
            builder.Append(TextPieces[_random.Next(TextPieces.Length)]);
        }
        return builder.ToString();
    }

    private byte[] Bytes()
    {
        var bytes = new byte[_random.Next(9)];
        _random.NextBytes(bytes);
        return bytes;
    }

    private IList List(Type listType, int depth)
    {
        var list = (IList)Activator.CreateInstance(listType)!;
        var elementType = listType.GetGenericArguments()[0];
        var count = _random.Next(4);
        for (var i = 0; i < count; i++)
        {
            list.Add(Value(elementType, nullable: false, depth + 1));
        }
        return list;
    }
}
