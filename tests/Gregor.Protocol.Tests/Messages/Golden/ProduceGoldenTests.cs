using Gregor.Protocol.Messages;
using Gregor.Protocol.Tests.Support;

namespace Gregor.Protocol.Tests.Messages.Golden;

/// <summary>Produce bodies against bytes built by hand from the reference field orders.</summary>
public sealed class ProduceGoldenTests
{
    private static readonly byte[] Records = [0xde, 0xad, 0xbe, 0xef];

    private static ProduceRequest SampleRequest() => new()
    {
        TransactionalId = null,
        Acks = -1,
        TimeoutMs = 30000,
        TopicData = [new() { Name = "orders", PartitionData = [new() { Index = 2, Records = Records }, new() { Index = 3, Records = null }] }],
    };

    [Fact]
    public void RequestV3()
    {
        var expected = new ByteBuilder()
            .String(null).Int16(-1).Int32(30000)
            .ArrayCount(1).String("orders")
            .ArrayCount(2).Int32(2).Bytes(Records).Int32(3).Bytes(null)
            .ToArray();
        var read = GoldenAssert.BothWays(SampleRequest(), 3, expected);
        Assert.Null(read.TransactionalId);
        Assert.Equal(-1, read.Acks);
        Assert.Equal(30000, read.TimeoutMs);
        Assert.Equal(Records, read.TopicData[0].PartitionData[0].Records!.Value.ToArray());
        Assert.Null(read.TopicData[0].PartitionData[1].Records);
    }

    [Fact]
    public void RequestV9()
    {
        var request = SampleRequest();
        request.TransactionalId = "tx-1";
        var expected = new ByteBuilder()
            .CompactString("tx-1").Int16(-1).Int32(30000)
            .CompactArrayCount(1).CompactString("orders")
            .CompactArrayCount(2).Int32(2).CompactBytes(Records).NoTaggedFields().Int32(3).CompactBytes(null).NoTaggedFields()
            .NoTaggedFields()
            .NoTaggedFields()
            .ToArray();
        var read = GoldenAssert.BothWays(request, 9, expected);
        Assert.Equal("tx-1", read.TransactionalId);
        Assert.Equal(2, read.TopicData[0].PartitionData[0].Index);
        Assert.Null(read.TopicData[0].PartitionData[1].Records);
    }

    private static ProduceResponse SampleResponse() => new()
    {
        Responses =
        [
            new()
            {
                Name = "orders",
                PartitionResponses =
                [
                    new()
                    {
                        Index = 2,
                        ErrorCode = 0,
                        BaseOffset = 1234567890123,
                        LogAppendTimeMs = -1,
                        LogStartOffset = 17,
                        RecordErrors = [new() { BatchIndex = 1, BatchIndexErrorMessage = null }],
                        ErrorMessage = "bad",
                    },
                ],
            },
        ],
        ThrottleTimeMs = 5,
    };

    [Fact]
    public void ResponseV3()
    {
        var expected = new ByteBuilder()
            .ArrayCount(1).String("orders")
            .ArrayCount(1).Int32(2).Int16(0).Int64(1234567890123).Int64(-1)
            .Int32(5)
            .ToArray();
        var read = GoldenAssert.BothWays(SampleResponse(), 3, expected);
        var partition = read.Responses[0].PartitionResponses[0];
        Assert.Equal((2, (short)0, 1234567890123L, -1L), (partition.Index, partition.ErrorCode, partition.BaseOffset, partition.LogAppendTimeMs));
        Assert.Equal(-1, partition.LogStartOffset); // not in v3: the default
        Assert.Null(partition.ErrorMessage);
        Assert.Equal(5, read.ThrottleTimeMs);
    }

    [Fact]
    public void ResponseV9()
    {
        var expected = new ByteBuilder()
            .CompactArrayCount(1).CompactString("orders")
            .CompactArrayCount(1).Int32(2).Int16(0).Int64(1234567890123).Int64(-1).Int64(17)
            .CompactArrayCount(1).Int32(1).CompactString(null).NoTaggedFields()
            .CompactString("bad")
            .NoTaggedFields()
            .NoTaggedFields()
            .Int32(5)
            .NoTaggedFields()
            .ToArray();
        var read = GoldenAssert.BothWays(SampleResponse(), 9, expected);
        var partition = read.Responses[0].PartitionResponses[0];
        Assert.Equal(17, partition.LogStartOffset);
        Assert.Equal(1, partition.RecordErrors[0].BatchIndex);
        Assert.Null(partition.RecordErrors[0].BatchIndexErrorMessage);
        Assert.Equal("bad", partition.ErrorMessage);
    }
}
