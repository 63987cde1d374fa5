using Gregor.Broker.Groups;
using Gregor.Broker.Groups.Records;
using Gregor.Broker.Groups.Store;
using Gregor.Protocol.Errors;
using static Gregor.Broker.Tests.Groups.GroupTestKit;

namespace Gregor.Broker.Tests.Groups;

/// <summary>
/// Start-up replay of the stored records: a record that cannot be applied (undecodable, or a group
/// whose members repeat an id) is skipped, keeping what the earlier records of that key said, and
/// every other group loads.
/// </summary>
public sealed class LoadingTests
{
    private static readonly TopicPartitionId T0 = new("t", 0);

    private static GroupMetadataValue.MemberMetadata Member(string id) => new(id, null, "client", "/127.0.0.1", 5000, 5000, Subscription("t"), [1]);

    private static GroupStoreRecord Commit(string group, long offset) =>
        new(new OffsetCommitKey(group, "t", 0).Serialize(), new OffsetCommitValue(offset, -1, "", 1000).Serialize());

    private static GroupStoreRecord Metadata(string group, int generation, params string[] members) =>
        new(new GroupMetadataKey(group).Serialize(), new GroupMetadataValue("consumer", generation, "range", members.FirstOrDefault(), 1000, [.. members.Select(Member)]).Serialize());

    [Fact]
    public async Task A_bad_record_is_skipped_and_every_group_still_loads()
    {
        var store = new InMemoryGroupStore();
        var partitions = Options().OffsetsTopicNumPartitions;
        async Task Put(string group, params GroupStoreRecord[] records) =>
            await store.AppendAsync(GroupPartitioner.PartitionFor(group, partitions), records, default);

        await Put("forged", Metadata("forged", 3, "m0"), Commit("forged", 5));
        // The forged record: two members with one id.
        await Put("forged", Metadata("forged", 4, "m1", "m1"));
        // An offset commit whose value is cut short, and a key of an unknown version.
        await Put("forged", new GroupStoreRecord(new OffsetCommitKey("forged", "t", 0).Serialize(), [0, 1, 0]));
        await Put("other", new GroupStoreRecord([0, 42, 1, 2], [0]));
        await Put("other", Commit("other", 7));

        await using var coordinator = await StartAsync(store: store);

        Assert.Equal(7, coordinator.FetchOffsets("other", [T0], false).Offsets[0].Offset);
        Assert.Equal(5, coordinator.FetchOffsets("forged", [T0], false).Offsets[0].Offset);
        var forged = coordinator.DescribeGroup("forged");
        Assert.Equal(ErrorCode.None, forged.Error);
        Assert.Equal("Stable", forged.State);
        Assert.Equal(["m0"], forged.Members.Select(m => m.MemberId));
        // And the coordinator serves new work.
        Assert.All(await coordinator.CommitOffsetsAsync(new() { GroupId = "new", Offsets = [new(T0, 1, -1, "")] }), r => Assert.Equal(ErrorCode.None, r.Error));
    }
}
