using Gregor.Broker.Groups;

namespace Gregor.Broker.Tests.Groups;

public sealed class GroupPartitionerTests
{
    [Theory]
    [InlineData("", 0)]
    [InlineData("a", 97)]
    [InlineData("Aa", 2112)] // 31·65 + 97
    [InlineData("BB", 2112)] // 31·66 + 66: the classic Java hash collision
    [InlineData("abc", 96354)] // (97·31 + 98)·31 + 99
    [InlineData("hello", 99162322)]
    [InlineData("polygenelubricants", int.MinValue)] // the well-known string whose hashCode is Integer.MIN_VALUE
    [InlineData("é", 233)] // one UTF-16 unit, not its two UTF-8 bytes
    [InlineData("😀", 1772899)] // surrogate pair D83D DE00: 31·0xD83D + 0xDE00
    public void Java_string_hash_code(string value, int expected) =>
        Assert.Equal(expected, GroupPartitioner.JavaStringHashCode(value));

    [Fact]
    public void Hash_wraps_like_java_int_arithmetic()
    {
        // "hello world".hashCode() in Java overflows past 2^31 several times.
        Assert.Equal(1794106052, GroupPartitioner.JavaStringHashCode("hello world"));
    }

    [Theory]
    [InlineData("hello", 50, 22)] // 99162322 % 50
    [InlineData("abc", 50, 4)] // 96354 % 50
    [InlineData("polygenelubricants", 50, 0)] // Utils.abs(MIN_VALUE) = 0, where Math.abs would stay negative
    [InlineData("", 50, 0)]
    [InlineData("hello", 1, 0)]
    public void Partition_for_group(string groupId, int partitions, int expected) =>
        Assert.Equal(expected, GroupPartitioner.PartitionFor(groupId, partitions));

    [Fact]
    public void Negative_hash_is_masked_not_negated()
    {
        // -2147483615 & 0x7fffffff = 33; Math.abs would give 2147483615 % 50 = 15.
        Assert.Equal(-2147483615, GroupPartitioner.JavaStringHashCode("polygenelubricants!"));
        Assert.Equal(33, GroupPartitioner.PartitionFor("polygenelubricants!", 50));
    }
}
