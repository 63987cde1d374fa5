using System.Collections;
using System.Reflection;
using Gregor.CodeGen;
using Gregor.Protocol.Tests.Support;

namespace Gregor.Protocol.Tests.Messages;

/// <summary>
/// Compares a message written at a version with what was read back, field by field, guided by the
/// definition: every field present in that version must hold the same value. A null written where the
/// version does not allow null must come back as the empty value of its type.
/// </summary>
public static class FieldValueComparer
{
    public static void AssertSurvived(MessageDefinition message, object written, object read, short version) =>
        CompareFields(message, message.Fields, written, read, version, message.Name);

    private static void CompareFields(MessageDefinition message, List<FieldDefinition> fields, object written, object read, short version, string path)
    {
        foreach (var field in fields.Where(f => f.Versions.Contains(version)))
        {
            var property = Property(written.GetType(), field);
            CompareValue(message, field, property.GetValue(written), property.GetValue(read), version, $"{path}.{property.Name}");
        }
    }

    private static PropertyInfo Property(Type type, FieldDefinition field) =>
        type.GetProperty(field.Name) ?? type.GetProperty(field.Name + "Value")
        ?? throw new InvalidOperationException($"{type.Name} has no property for field {field.Name}");

    private static bool IsStruct(FieldDefinition field) =>
        field.ElementType is not ("int8" or "int16" or "int32" or "int64" or "uint16" or "uint32" or "float64" or "bool" or "uuid" or "string" or "bytes" or "records");

    private static void CompareValue(MessageDefinition message, FieldDefinition field, object? written, object? read, short version, string path)
    {
        if (written is null)
        {
            if (field.NullableVersions.Contains(version))
            {
                Assert.True(read is null, $"{path}: null was written but {read} was read");
            }
            else
            {
                Assert.True(IsEmpty(read), $"{path}: null in a non-nullable version must read back as empty, got {read}");
            }
            return;
        }
        Assert.True(read is not null, $"{path}: {written} was written but null was read");
        if (field.IsArray)
        {
            var expected = (IList)written;
            var actual = (IList)read!;
            Assert.True(expected.Count == actual.Count, $"{path}: {expected.Count} elements written, {actual.Count} read");
            for (var i = 0; i < expected.Count; i++)
            {
                CompareElement(message, field, expected[i]!, actual[i]!, version, $"{path}[{i}]");
            }
            return;
        }
        CompareElement(message, field, written, read!, version, path);
    }

    private static void CompareElement(MessageDefinition message, FieldDefinition field, object written, object read, short version, string path)
    {
        if (IsStruct(field))
        {
            CompareFields(message, Definitions.StructFields(message, field), written, read, version, path);
        }
        else if (written is ReadOnlyMemory<byte> bytes)
        {
            Assert.True(bytes.Span.SequenceEqual(((ReadOnlyMemory<byte>)read).Span), $"{path}: bytes differ");
        }
        else
        {
            Assert.True(Equals(written, read), $"{path}: wrote {written}, read {read}");
        }
    }

    private static bool IsEmpty(object? value) => value switch
    {
        string s => s.Length == 0,
        ReadOnlyMemory<byte> m => m.Length == 0,
        IList l => l.Count == 0,
        null => false,
        _ => true, // a struct written as its defaults; its bytes are compared by the caller
    };
}
