using Gregor.Protocol.Messages;
using Gregor.Protocol.Tests.Support;

namespace Gregor.Protocol.Tests.Messages.Golden;

/// <summary>Fetch bodies against bytes built by hand from the reference field orders.</summary>
public sealed class FetchGoldenTests
{
    private static readonly byte[] Records = [1, 2, 3];

    private static FetchRequest SampleRequest() => new()
    {
        ClusterId = null,
        ReplicaId = -1,
        MaxWaitMs = 500,
        MinBytes = 1,
        MaxBytes = 52428800,
        IsolationLevel = 1,
        SessionId = 0,
        SessionEpoch = -1,
        Topics =
        [
            new()
            {
                Topic = "orders",
                Partitions = [new() { Partition = 0, CurrentLeaderEpoch = 3, FetchOffset = 100, LastFetchedEpoch = 2, LogStartOffset = 0, PartitionMaxBytes = 1048576 }],
            },
        ],
        ForgottenTopicsData = [new() { Topic = "old", Partitions = [4, 5] }],
        RackId = "rack-a",
    };

    [Fact]
    public void RequestV4()
    {
        var expected = new ByteBuilder()
            .Int32(-1).Int32(500).Int32(1).Int32(52428800).Int8(1)
            .ArrayCount(1).String("orders")
            .ArrayCount(1).Int32(0).Int64(100).Int32(1048576)
            .ToArray();
        var read = GoldenAssert.BothWays(SampleRequest(), 4, expected);
        Assert.Equal((-1, 500, 1, 52428800, (sbyte)1), (read.ReplicaId, read.MaxWaitMs, read.MinBytes, read.MaxBytes, read.IsolationLevel));
        var partition = read.Topics[0].Partitions[0];
        Assert.Equal((0, 100L, 1048576), (partition.Partition, partition.FetchOffset, partition.PartitionMaxBytes));
        Assert.Equal(-1, partition.CurrentLeaderEpoch); // not in v4: the default
        Assert.Empty(read.ForgottenTopicsData);
    }

    [Fact]
    public void RequestV12WithClusterIdTag()
    {
        var request = SampleRequest();
        request.ClusterId = "cluster-x";
        var expected = new ByteBuilder()
            .Int32(-1).Int32(500).Int32(1).Int32(52428800).Int8(1).Int32(0).Int32(-1)
            .CompactArrayCount(1).CompactString("orders")
            .CompactArrayCount(1).Int32(0).Int32(3).Int64(100).Int32(2).Int64(0).Int32(1048576).NoTaggedFields()
            .NoTaggedFields()
            .CompactArrayCount(1).CompactString("old").CompactArrayCount(2).Int32(4).Int32(5).NoTaggedFields()
            .CompactString("rack-a")
            .UnsignedVarInt(1).TaggedField(0, new ByteBuilder().CompactString("cluster-x").ToArray())
            .ToArray();
        var read = GoldenAssert.BothWays(request, 12, expected);
        Assert.Equal("cluster-x", read.ClusterId);
        Assert.Equal(-1, read.SessionEpoch);
        Assert.Equal(2, read.Topics[0].Partitions[0].LastFetchedEpoch);
        Assert.Equal([4, 5], read.ForgottenTopicsData[0].Partitions);
        Assert.Equal("rack-a", read.RackId);
    }

    private static FetchResponse SampleResponse() => new()
    {
        ThrottleTimeMs = 0,
        ErrorCode = 0,
        SessionId = 77,
        Responses =
        [
            new()
            {
                Topic = "orders",
                Partitions =
                [
                    new()
                    {
                        PartitionIndex = 0,
                        ErrorCode = 0,
                        HighWatermark = 200,
                        LastStableOffset = 150,
                        LogStartOffset = 10,
                        AbortedTransactions = [new() { ProducerId = 9, FirstOffset = 120 }],
                        PreferredReadReplica = -1,
                        Records = Records,
                    },
                    new()
                    {
                        PartitionIndex = 1,
                        ErrorCode = 74,
                        HighWatermark = -1,
                        LastStableOffset = -1,
                        LogStartOffset = -1,
                        AbortedTransactions = null,
                        DivergingEpoch = new() { Epoch = 3, EndOffset = 90 },
                        CurrentLeader = new() { LeaderId = 2, LeaderEpoch = 6 },
                        Records = null,
                    },
                ],
            },
        ],
    };

    [Fact]
    public void ResponseV4()
    {
        var expected = new ByteBuilder()
            .Int32(0)
            .ArrayCount(1).String("orders")
            .ArrayCount(2)
            .Int32(0).Int16(0).Int64(200).Int64(150).ArrayCount(1).Int64(9).Int64(120).Bytes(Records)
            .Int32(1).Int16(74).Int64(-1).Int64(-1).ArrayCount(-1).Bytes(null)
            .ToArray();
        var read = GoldenAssert.BothWays(SampleResponse(), 4, expected);
        var (first, second) = (read.Responses[0].Partitions[0], read.Responses[0].Partitions[1]);
        Assert.Equal((200L, 150L), (first.HighWatermark, first.LastStableOffset));
        Assert.Equal((9L, 120L), (first.AbortedTransactions![0].ProducerId, first.AbortedTransactions[0].FirstOffset));
        Assert.Equal(Records, first.Records!.Value.ToArray());
        Assert.Null(second.AbortedTransactions);
        Assert.Null(second.Records);
        Assert.Equal(-1, second.DivergingEpoch.Epoch); // tagged, v12+ only
    }

    [Fact]
    public void ResponseV12WithDivergingEpochAndCurrentLeaderTagsAndNullRecords()
    {
        var expected = new ByteBuilder()
            .Int32(0).Int16(0).Int32(77)
            .CompactArrayCount(1).CompactString("orders")
            .CompactArrayCount(2)
            .Int32(0).Int16(0).Int64(200).Int64(150).Int64(10)
            .CompactArrayCount(1).Int64(9).Int64(120).NoTaggedFields()
            .Int32(-1).CompactBytes(Records)
            .NoTaggedFields()
            .Int32(1).Int16(74).Int64(-1).Int64(-1).Int64(-1)
            .CompactArrayCount(-1)
            .Int32(-1).CompactBytes(null)
            .UnsignedVarInt(2)
            .TaggedField(0, new ByteBuilder().Int32(3).Int64(90).NoTaggedFields().ToArray())
            .TaggedField(1, new ByteBuilder().Int32(2).Int32(6).NoTaggedFields().ToArray())
            .NoTaggedFields()
            .NoTaggedFields()
            .ToArray();
        var read = GoldenAssert.BothWays(SampleResponse(), 12, expected);
        Assert.Equal(77, read.SessionId);
        var second = read.Responses[0].Partitions[1];
        Assert.Equal((3, 90L), (second.DivergingEpoch.Epoch, second.DivergingEpoch.EndOffset));
        Assert.Equal((2, 6), (second.CurrentLeader.LeaderId, second.CurrentLeader.LeaderEpoch));
        Assert.Equal((-1L, -1), (second.SnapshotId.EndOffset, second.SnapshotId.Epoch));
        Assert.Null(second.Records);
        Assert.Null(second.AbortedTransactions);
        Assert.Equal(Records, read.Responses[0].Partitions[0].Records!.Value.ToArray());
    }
}
