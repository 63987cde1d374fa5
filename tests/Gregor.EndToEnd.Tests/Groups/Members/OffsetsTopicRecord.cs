using System.Buffers.Binary;
using System.Text;

namespace Gregor.EndToEnd.Tests.Groups.Members;

/// <summary>
/// A record of __consumer_offsets parsed by hand with Kafka's schemas (independently of the
/// broker's codecs): key version 0/1 = offset commit (group, topic, partition), key version 2 =
/// group metadata (group); offset commit values v0-v4, group metadata values v0-v4 (v4 flexible).
/// Parsing throws unless the bytes are exactly one well-formed key or value.
/// </summary>
public sealed record OffsetsTopicRecord(int Partition, long Offset, short KeyVersion, string Group, string? Topic, int TopicPartition)
{
    /// <summary>Offset commit value (null for a tombstone).</summary>
    public (short Version, long Offset, int LeaderEpoch, string Metadata, long CommitTimestamp)? Commit { get; init; }

    /// <summary>Group metadata value (null for a tombstone).</summary>
    public (short Version, string ProtocolType, int Generation, string? Protocol, string? Leader, string[] MemberClientIds)? Metadata { get; init; }

    public bool IsTombstone => Commit is null && Metadata is null;

    public static OffsetsTopicRecord Parse(int partition, long offset, byte[] key, byte[]? value)
    {
        var k = new Reader(key, flexible: false);
        var keyVersion = k.Int16();
        OffsetsTopicRecord record = keyVersion switch
        {
            0 or 1 => new(partition, offset, keyVersion, k.String()!, k.String(), k.Int32()),
            2 => new(partition, offset, keyVersion, k.String()!, null, -1),
            _ => throw new FormatException($"unknown key version {keyVersion}"),
        };
        k.End();
        if (value is null)
        {
            return record;
        }
        var version = BinaryPrimitives.ReadInt16BigEndian(value);
        var v = new Reader(value, flexible: version >= 4) { Position = 2 };
        if (keyVersion < 2)
        {
            var committed = v.Int64();
            var leaderEpoch = version >= 3 ? v.Int32() : -1;
            var metadata = v.String()!;
            var timestamp = v.Int64();
            if (version == 1)
            {
                v.Int64(); // expire timestamp
            }
            v.TaggedFields();
            v.End();
            return record with { Commit = (version, committed, leaderEpoch, metadata, timestamp) };
        }
        var protocolType = v.String()!;
        var generation = v.Int32();
        var protocol = v.String();
        var leader = v.String();
        if (version >= 2)
        {
            v.Int64(); // current state timestamp
        }
        var members = new string[v.ArrayLength()];
        for (var i = 0; i < members.Length; i++)
        {
            v.String(); // member id
            if (version >= 3)
            {
                v.String(); // group instance id
            }
            members[i] = v.String()!;
            v.String(); // client host
            if (version >= 1)
            {
                v.Int32(); // rebalance timeout
            }
            v.Int32(); // session timeout
            v.Bytes(); // subscription
            v.Bytes(); // assignment
            v.TaggedFields();
        }
        v.TaggedFields();
        v.End();
        return record with { Metadata = (version, protocolType, generation, protocol, leader, members) };
    }

    private sealed class Reader(byte[] bytes, bool flexible)
    {
        public int Position { get; set; }

        public short Int16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

        public int Int32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

        public long Int64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

        public string? String()
        {
            var length = flexible ? (int)UnsignedVarint() - 1 : Int16();
            return length < 0 ? null : Encoding.UTF8.GetString(Take(length));
        }

        public byte[]? Bytes()
        {
            var length = flexible ? (int)UnsignedVarint() - 1 : Int32();
            return length < 0 ? null : Take(length).ToArray();
        }

        public int ArrayLength() => flexible ? (int)UnsignedVarint() - 1 : Int32();

        public void TaggedFields()
        {
            if (!flexible)
            {
                return;
            }
            var count = UnsignedVarint();
            for (var i = 0u; i < count; i++)
            {
                UnsignedVarint();
                Take((int)UnsignedVarint());
            }
        }

        public void End()
        {
            if (Position != bytes.Length)
            {
                throw new FormatException($"{bytes.Length - Position} bytes left over");
            }
        }

        private uint UnsignedVarint()
        {
            uint result = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = Take(1)[0];
                result |= (uint)(b & 0x7f) << shift;
                if ((b & 0x80) == 0)
                {
                    return result;
                }
            }
        }

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || Position + count > bytes.Length)
            {
                throw new FormatException($"need {count} bytes at {Position} of {bytes.Length}");
            }
            var span = bytes.AsSpan(Position, count);
            Position += count;
            return span;
        }
    }
}
