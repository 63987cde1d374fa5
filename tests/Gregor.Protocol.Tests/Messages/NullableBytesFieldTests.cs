using Gregor.Protocol.Messages;
using Gregor.Protocol.Tests.Support;
using Gregor.Protocol.Wire;

namespace Gregor.Protocol.Tests.Messages;

/// <summary>
/// Null in a nullable bytes/records field is written as length -1 (or compact 0) and read back
/// as null, not as an empty value; where the version does not allow null it is written as empty.
/// </summary>
public sealed class NullableBytesFieldTests
{
    private static byte[] Write(IKafkaMessage message, short version)
    {
        using var writer = new KafkaWriter();
        message.Write(writer, version);
        return writer.ToArray();
    }

    private static ProduceRequest ProduceWithRecords(ReadOnlyMemory<byte>? records) => new()
    {
        Acks = 1,
        TimeoutMs = 1000,
        TopicData = [new() { Name = "t", PartitionData = [new() { Index = 0, Records = records }] }],
    };

    [Fact]
    public void NullRecordsAreWrittenAsNullInNonFlexibleVersions()
    {
        var bytes = Write(ProduceWithRecords(null), 3);
        Assert.EndsWith("00000000" + "ffffffff", Hex.Format(bytes), StringComparison.Ordinal);
        var reader = new KafkaReader(bytes);
        var read = ProduceRequest.Read(ref reader, 3);
        Assert.Null(read.TopicData[0].PartitionData[0].Records);
    }

    [Fact]
    public void NullRecordsAreWrittenAsCompactNullInFlexibleVersions()
    {
        var bytes = Write(ProduceWithRecords(null), 9);
        // ..., partition index 0, records null (00), partition tags (00), topic tags (00), message tags (00)
        Assert.EndsWith("00000000" + "00" + "00" + "00" + "00", Hex.Format(bytes), StringComparison.Ordinal);
        var reader = new KafkaReader(bytes);
        Assert.Null(ProduceRequest.Read(ref reader, 9).TopicData[0].PartitionData[0].Records);
    }

    [Fact]
    public void EmptyRecordsStayEmpty()
    {
        var bytes = Write(ProduceWithRecords(ReadOnlyMemory<byte>.Empty), 3);
        Assert.EndsWith("00000000" + "00000000", Hex.Format(bytes), StringComparison.Ordinal);
        var reader = new KafkaReader(bytes);
        var records = ProduceRequest.Read(ref reader, 3).TopicData[0].PartitionData[0].Records;
        Assert.NotNull(records);
        Assert.Equal(0, records.Value.Length);
    }

    [Fact]
    public void NullWhereTheVersionForbidsItIsWrittenAsEmpty()
    {
        // FetchSnapshotResponse's UnalignedRecords is records but never nullable.
        var response = new FetchSnapshotResponse
        {
            Topics = [new() { Name = "t", Partitions = [new() { UnalignedRecords = null }] }],
        };
        var bytes = Write(response, 0);
        var reader = new KafkaReader(bytes);
        var records = FetchSnapshotResponse.Read(ref reader, 0).Topics[0].Partitions[0].UnalignedRecords;
        Assert.NotNull(records);
        Assert.Equal(0, records.Value.Length);
    }
}
