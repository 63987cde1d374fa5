using Gregor.Broker.Groups;
using Gregor.Broker.Groups.Records;
using Gregor.Broker.Groups.Store;
using Gregor.Protocol.Errors;
using static Gregor.Broker.Tests.Groups.GroupTestKit;

namespace Gregor.Broker.Tests.Groups;

/// <summary>OffsetCommit, OffsetFetch, OffsetDelete and offset expiry.</summary>
public sealed class OffsetTests
{
    private static readonly TopicPartitionId T0 = new("t", 0);
    private static readonly TopicPartitionId T1 = new("t", 1);
    private static readonly TopicPartitionId U0 = new("u", 0);

    private static OffsetCommitParameters Simple(string groupId, params OffsetCommitEntry[] offsets) => new() { GroupId = groupId, Offsets = offsets };

    [Fact]
    public async Task Simple_commit_and_fetch_keep_metadata_and_leader_epoch()
    {
        var store = new InMemoryGroupStore();
        var clock = NewClock();
        await using var coordinator = await StartAsync(store: store, clock: clock);
        var results = await coordinator.CommitOffsetsAsync(Simple("g", new(T0, 42, 3, "hello"), new(T1, 7, -1, null)));
        Assert.All(results, r => Assert.Equal(ErrorCode.None, r.Error));

        var (error, offsets) = coordinator.FetchOffsets("g", [T0, T1, U0], requireStable: false);
        Assert.Equal(ErrorCode.None, error);
        Assert.Equal(new FetchedOffset(T0, 42, 3, "hello", ErrorCode.None), offsets[0]);
        Assert.Equal(new FetchedOffset(T1, 7, -1, "", ErrorCode.None), offsets[1]);
        Assert.Equal(new FetchedOffset(U0, -1, -1, "", ErrorCode.None), offsets[2]);
        Assert.Equal([T0, T1], coordinator.FetchOffsets("g", null, false).Offsets.Select(o => o.Partition));
        Assert.Equal("Empty", coordinator.StateOf("g"));

        // The commit went to the group's partition as OffsetCommitKey/Value records with a commit timestamp.
        var records = store.RecordsOf(coordinator.PartitionFor("g"));
        Assert.Equal(2, records.Count);
        Assert.Equal(new OffsetCommitKey("g", "t", 0), GroupRecordKey.Deserialize(records[0].Key));
        var value = OffsetCommitValue.Deserialize(records[0].Value!);
        Assert.Equal((42L, 3, "hello"), (value.Offset, value.LeaderEpoch, value.Metadata));
        // The commit timestamp is the coordinator's clock at the commit.
        Assert.Equal(clock.GetUtcNow().ToUnixTimeMilliseconds(), value.CommitTimestamp);
    }

    [Fact]
    public async Task Explicit_commit_timestamp_and_retention_are_stored()
    {
        var store = new InMemoryGroupStore();
        await using var coordinator = await StartAsync(store: store);
        await coordinator.CommitOffsetsAsync(new() { GroupId = "g", RetentionTimeMs = 1000, Offsets = [new(T0, 1, -1, "", CommitTimestamp: 12345)] });
        var value = OffsetCommitValue.Deserialize(store.RecordsOf(coordinator.PartitionFor("g"))[0].Value!);
        Assert.Equal(12345, value.CommitTimestamp);
        Assert.True(value.ExpireTimestamp > 0);
        Assert.Equal(1, store.RecordsOf(coordinator.PartitionFor("g"))[0].Value![1]); // written as OffsetCommitValue v1
    }

    [Fact]
    public async Task Metadata_over_the_limit_is_refused_per_partition()
    {
        await using var coordinator = await StartAsync(Options() with { OffsetMetadataMaxBytes = 4 });
        var results = await coordinator.CommitOffsetsAsync(Simple("g", new(T0, 1, -1, "12345"), new(T1, 1, -1, "1234")));
        Assert.Equal([ErrorCode.OffsetMetadataTooLarge, ErrorCode.None], results.Select(r => r.Error));
        Assert.Equal(-1, coordinator.FetchOffsets("g", [T0], false).Offsets[0].Offset);
    }

    [Fact]
    public async Task Member_commits_are_checked_against_membership_and_generation()
    {
        await using var coordinator = await StartAsync();
        Assert.Equal(ErrorCode.IllegalGeneration, (await coordinator.CommitOffsetsAsync(new() { GroupId = "nope", GenerationId = 1, MemberId = "m", Offsets = [new(T0, 1, -1, "")] }))[0].Error);

        var m1 = await coordinator.JoinAsync(Join("g"));
        OffsetCommitParameters ByM1(int generation) => new() { GroupId = "g", GenerationId = generation, MemberId = m1.MemberId, Offsets = [new(T0, 9, -1, "")] };
        // CompletingRebalance: the member must wait for its assignment.
        Assert.Equal(ErrorCode.RebalanceInProgress, (await coordinator.CommitOffsetsAsync(ByM1(1)))[0].Error);
        await coordinator.SyncAsync("g", m1);
        Assert.Equal(ErrorCode.None, (await coordinator.CommitOffsetsAsync(ByM1(1)))[0].Error);
        Assert.Equal(ErrorCode.IllegalGeneration, (await coordinator.CommitOffsetsAsync(ByM1(2)))[0].Error);
        Assert.Equal(ErrorCode.UnknownMemberId, (await coordinator.CommitOffsetsAsync(ByM1(1) with { MemberId = "ghost" }))[0].Error);
        // A simple commit into a group with members is not allowed.
        Assert.Equal(ErrorCode.UnknownMemberId, (await coordinator.CommitOffsetsAsync(Simple("g", new OffsetCommitEntry(T0, 1, -1, ""))))[0].Error);
        // PreparingRebalance: still accepted (the heartbeat tells the member to rejoin).
        _ = coordinator.JoinGroupAsync(Join("g"));
        Assert.Equal("PreparingRebalance", coordinator.StateOf("g"));
        Assert.Equal(ErrorCode.None, (await coordinator.CommitOffsetsAsync(ByM1(1) with { Offsets = [new(T0, 11, -1, "")] }))[0].Error);
        Assert.Equal(11, coordinator.FetchOffsets("g", [T0], false).Offsets[0].Offset);
    }

    [Fact]
    public async Task Offset_delete_refuses_subscribed_topics_of_an_active_consumer_group()
    {
        await using var coordinator = await StartAsync();
        var m = await coordinator.StableSingleMemberAsync("g", [1]); // subscribed to "t"
        await coordinator.CommitOffsetsAsync(new() { GroupId = "g", GenerationId = 1, MemberId = m.MemberId, Offsets = [new(T0, 1, -1, ""), new(U0, 2, -1, "")] });

        var (error, results) = await coordinator.DeleteOffsetsAsync("g", [T0, U0]);
        Assert.Equal(ErrorCode.None, error);
        Assert.Equal([ErrorCode.GroupSubscribedToTopic, ErrorCode.None], results.Select(r => r.Error));
        Assert.Equal([1L, -1L], coordinator.FetchOffsets("g", [T0, U0], false).Offsets.Select(o => o.Offset));

        Assert.Equal(ErrorCode.GroupIdNotFound, (await coordinator.DeleteOffsetsAsync("nope", [T0])).Error);
        coordinator.LeaveGroup("g", [new(m.MemberId, null)]);
        Assert.Equal(ErrorCode.None, (await coordinator.DeleteOffsetsAsync("g", [T0])).Partitions[0].Error);
        Assert.Equal(-1, coordinator.FetchOffsets("g", [T0], false).Offsets[0].Offset);
    }

    [Fact]
    public async Task Offset_delete_on_a_non_consumer_group_with_members_is_refused()
    {
        await using var coordinator = await StartAsync();
        var joined = await coordinator.JoinAsync(Join("g", protocolType: "connect", protocols: new GroupProtocol("default", [])));
        await coordinator.SyncAsync("g", joined);
        Assert.Equal(ErrorCode.NonEmptyGroup, (await coordinator.DeleteOffsetsAsync("g", [T0])).Error);
    }

    [Fact]
    public async Task Offsets_of_an_empty_group_expire_after_the_retention_then_the_group_goes()
    {
        var store = new InMemoryGroupStore();
        var clock = NewClock();
        await using var coordinator = await StartAsync(Options(retentionMs: 100), store, clock);
        await coordinator.CommitOffsetsAsync(Simple("g", new OffsetCommitEntry(T0, 5, -1, "")));
        Assert.Equal(0, await coordinator.ExpireOffsetsAsync());
        Assert.Equal(5, coordinator.FetchOffsets("g", [T0], false).Offsets[0].Offset);

        clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Equal(0, await coordinator.ExpireOffsetsAsync());
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, await coordinator.ExpireOffsetsAsync());
        Assert.Equal(-1, coordinator.FetchOffsets("g", [T0], false).Offsets[0].Offset);
        Assert.Empty(coordinator.ListGroups().Groups);
        // A tombstone for the offset, then one for the group.
        var records = store.RecordsOf(coordinator.PartitionFor("g"));
        Assert.Null(records[^2].Value);
        Assert.Equal(new OffsetCommitKey("g", "t", 0), GroupRecordKey.Deserialize(records[^2].Key));
        Assert.Null(records[^1].Value);
        Assert.Equal(new GroupMetadataKey("g"), GroupRecordKey.Deserialize(records[^1].Key));
    }

    [Fact]
    public async Task Deleting_a_topic_removes_its_offsets_and_groups_left_without_any()
    {
        var store = new InMemoryGroupStore();
        await using var coordinator = await StartAsync(Options(), store);
        await coordinator.CommitOffsetsAsync(Simple("both", new OffsetCommitEntry(T0, 5, -1, ""), new OffsetCommitEntry(U0, 6, -1, "")));
        await coordinator.CommitOffsetsAsync(Simple("only-t", new OffsetCommitEntry(T0, 7, -1, "")));

        Assert.Equal(2, await coordinator.OnTopicsDeletedAsync(["t"]));
        Assert.Equal([-1L, 6L], coordinator.FetchOffsets("both", [T0, U0], false).Offsets.Select(o => o.Offset));
        Assert.Equal(["both"], coordinator.ListGroups().Groups.Select(g => g.GroupId));
        Assert.Equal(0, await coordinator.OnTopicsDeletedAsync(["t"]));

        // Tombstones make it durable: a coordinator replaying the store sees the same.
        await using var reloaded = await StartAsync(Options(), store);
        Assert.Equal([-1L, 6L], reloaded.FetchOffsets("both", [T0, U0], false).Offsets.Select(o => o.Offset));
        Assert.Equal(["both"], reloaded.ListGroups().Groups.Select(g => g.GroupId));
    }

    [Fact]
    public async Task Stable_consumer_group_keeps_offsets_of_subscribed_topics()
    {
        var clock = NewClock();
        await using var coordinator = await StartAsync(Options(retentionMs: 100), clock: clock);
        var m = await coordinator.StableSingleMemberAsync("g", [1]); // subscribed to "t"
        await coordinator.CommitOffsetsAsync(new() { GroupId = "g", GenerationId = 1, MemberId = m.MemberId, Offsets = [new(T0, 1, -1, ""), new(U0, 2, -1, "")] });
        clock.Advance(TimeSpan.FromMilliseconds(150));
        coordinator.Heartbeat("g", m.MemberId, null, 1);
        Assert.Equal(1, await coordinator.ExpireOffsetsAsync());
        Assert.Equal([1L, -1L], coordinator.FetchOffsets("g", [T0, U0], false).Offsets.Select(o => o.Offset));
        Assert.Equal("Stable", coordinator.StateOf("g"));
    }

    [Fact]
    public async Task Group_errors_are_reported_for_invalid_ids()
    {
        await using var coordinator = await StartAsync();
        // Offset APIs accept the empty group id, as Kafka does.
        Assert.Equal(ErrorCode.None, (await coordinator.CommitOffsetsAsync(Simple("", new OffsetCommitEntry(T0, 1, -1, ""))))[0].Error);
        Assert.Equal(1, coordinator.FetchOffsets("", [T0], false).Offsets[0].Offset);
        Assert.Equal(ErrorCode.InvalidGroupId, coordinator.Heartbeat("", "m", null, 1));
    }
}
