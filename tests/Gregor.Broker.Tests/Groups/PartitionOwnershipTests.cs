using Gregor.Broker.Cluster;
using Gregor.Broker.Groups;
using Gregor.Broker.Groups.Records;
using Gregor.Broker.Groups.Store;
using Gregor.Protocol.Errors;
using Microsoft.Extensions.Logging.Abstractions;
using static Gregor.Broker.Tests.Groups.GroupTestKit;

namespace Gregor.Broker.Tests.Groups;

/// <summary>
/// The coordinator serves only the groups of the __consumer_offsets partitions it was elected for:
/// a resigned partition's groups answer NOT_COORDINATOR (parked responses included) and a later
/// election loads them again from the store exactly as they were; epochs older than the newest
/// seen are ignored; a loading partition answers COORDINATOR_LOAD_IN_PROGRESS; and no write lands
/// for a partition once its resignation completed.
/// </summary>
public sealed class PartitionOwnershipTests
{
    private static readonly TopicPartitionId T0 = new("t", 0);
    private static readonly int Partitions = Options().OffsetsTopicNumPartitions;

    /// <summary>A group id that lands in <paramref name="partition"/>.</summary>
    private static string GroupOn(int partition, string prefix = "g") =>
        Enumerable.Range(0, 1000).Select(i => $"{prefix}-{i}").First(g => GroupPartitioner.PartitionFor(g, Partitions) == partition);

    private static GroupCoordinator NewCoordinator(IGroupStore store, Func<int, BrokerEndpoint?>? leaderOf = null) =>
        new(Options(), store, NullLogger<GroupCoordinator>.Instance, NewClock(), leaderOf);

    private static Task<IReadOnlyList<(TopicPartitionId Partition, ErrorCode Error)>> CommitAsync(GroupCoordinator coordinator, string group, long offset) =>
        coordinator.CommitOffsetsAsync(new() { GroupId = group, Offsets = [new(T0, offset, -1, "")] });

    /// <summary>Commits through a coordinator of its own, which is gone when this returns.</summary>
    private static async Task StoreCommitAsync(IGroupStore store, string group, long offset)
    {
        await using var first = NewCoordinator(store);
        await first.StartAsync();
        Assert.All(await CommitAsync(first, group, offset), r => Assert.Equal(ErrorCode.None, r.Error));
    }

    private static async Task WaitLoadedAsync(GroupCoordinator coordinator, string group) =>
        await Eventually(() => coordinator.FetchOffsets(group, null, false).Error == ErrorCode.None, $"the partition of {group} loaded");

    [Fact]
    public async Task A_resigned_partition_answers_not_coordinator_while_the_others_keep_serving()
    {
        var store = new InMemoryGroupStore();
        await using var coordinator = await StartAsync(store: store);
        var gone = GroupOn(1);
        var kept = GroupOn(2);
        var member = await coordinator.StableSingleMemberAsync(gone, [1]);
        var memberCommit = new OffsetCommitParameters { GroupId = gone, GenerationId = member.GenerationId, MemberId = member.MemberId, Offsets = [new(T0, 5, -1, "")] };
        Assert.All(await coordinator.CommitOffsetsAsync(memberCommit), r => Assert.Equal(ErrorCode.None, r.Error));
        Assert.All(await CommitAsync(coordinator, kept, 6), r => Assert.Equal(ErrorCode.None, r.Error));
        var stored = store.RecordsOf(1).Count;

        await coordinator.OnResignation(1, null).WaitAsync(Wait);

        Assert.Equal(ErrorCode.NotCoordinator, (await coordinator.JoinAsync(Join(gone))).Error);
        Assert.Equal(ErrorCode.NotCoordinator, (await coordinator.JoinAsync(Join(gone, memberId: member.MemberId))).Error);
        Assert.Equal(ErrorCode.NotCoordinator, (await coordinator.SyncAsync(gone, member)).Error);
        Assert.Equal(ErrorCode.NotCoordinator, coordinator.Heartbeat(gone, member.MemberId, null, member.GenerationId));
        Assert.Equal(ErrorCode.NotCoordinator, coordinator.LeaveGroup(gone, [new(member.MemberId, null)]).Error);
        Assert.All(await coordinator.CommitOffsetsAsync(memberCommit), r => Assert.Equal(ErrorCode.NotCoordinator, r.Error));
        Assert.All(await CommitAsync(coordinator, gone, 7), r => Assert.Equal(ErrorCode.NotCoordinator, r.Error));
        Assert.Equal(ErrorCode.NotCoordinator, coordinator.FetchOffsets(gone, [T0], false).Error);
        Assert.Equal(ErrorCode.NotCoordinator, coordinator.DescribeGroup(gone).Error);
        Assert.Equal([(gone, ErrorCode.NotCoordinator)], await coordinator.DeleteGroupsAsync([gone]));
        Assert.Equal(ErrorCode.NotCoordinator, (await coordinator.DeleteOffsetsAsync(gone, [T0])).Error);
        var listed = coordinator.ListGroups();
        Assert.Equal(ErrorCode.None, listed.Error);
        Assert.Equal([kept], listed.Groups.Select(g => g.GroupId));
        Assert.Equal(stored, store.RecordsOf(1).Count);

        // The other partitions are untouched.
        Assert.Equal(6, coordinator.FetchOffsets(kept, [T0], false).Offsets[0].Offset);
        Assert.All(await CommitAsync(coordinator, kept, 8), r => Assert.Equal(ErrorCode.None, r.Error));
    }

    [Fact]
    public async Task Parked_joins_and_syncs_get_not_coordinator_when_their_partition_is_resigned()
    {
        await using var coordinator = await StartAsync();
        var joining = GroupOn(0, "joining");
        var syncing = GroupOn(3, "syncing");

        // A new member's JoinGroup waits for the current member to rejoin.
        await coordinator.StableSingleMemberAsync(joining, [1]);
        var parkedJoin = coordinator.JoinGroupAsync(Join(joining));
        // A second member makes the group rebalance; once the leader rejoined, the follower's
        // SyncGroup waits for the leader's assignment.
        var leader = await coordinator.StableSingleMemberAsync(syncing, [1]);
        var followerJoin = coordinator.JoinGroupAsync(Join(syncing));
        Assert.Equal(ErrorCode.None, (await coordinator.JoinAsync(Join(syncing, memberId: leader.MemberId))).Error);
        var follower = await followerJoin.Within();
        Assert.Equal(ErrorCode.None, follower.Error);
        var parkedSync = coordinator.SyncGroupAsync(syncing, follower.GenerationId, follower.MemberId, null, null, null, new Dictionary<string, byte[]>());
        Assert.False(parkedJoin.IsCompleted);
        Assert.False(parkedSync.IsCompleted);

        await coordinator.OnResignation(0, null).WaitAsync(Wait);
        Assert.Equal(ErrorCode.NotCoordinator, (await parkedJoin.Within()).Error);
        Assert.False(parkedSync.IsCompleted);
        await coordinator.OnResignation(3, null).WaitAsync(Wait);
        Assert.Equal(ErrorCode.NotCoordinator, (await parkedSync.Within()).Error);
    }

    [Fact]
    public async Task Re_election_reloads_committed_offsets_and_group_metadata_exactly()
    {
        var store = new InMemoryGroupStore();
        var clock = NewClock();
        await using var coordinator = new GroupCoordinator(Options(), store, NullLogger<GroupCoordinator>.Instance, clock);
        await coordinator.StartAsync();
        var group = GroupOn(2);
        var simple = GroupOn(2, "simple");
        var joined = await coordinator.StableSingleMemberAsync(group, [5, 6], instanceId: "i");
        await coordinator.CommitOffsetsAsync(new()
        {
            GroupId = group,
            GenerationId = joined.GenerationId,
            MemberId = joined.MemberId,
            GroupInstanceId = "i",
            Offsets = [new(new("t", 3), 77, 2, "meta"), new(new("u", 0), 9, -1, "")],
        });
        await coordinator.CommitOffsetsAsync(new() { GroupId = simple, Offsets = [new(T0, 1, -1, "x")] });
        var before = coordinator.DescribeGroup(group);
        var offsetsBefore = coordinator.FetchOffsets(group, null, false).Offsets;

        await coordinator.OnResignation(2, 0).WaitAsync(Wait);
        Assert.Equal(ErrorCode.NotCoordinator, coordinator.DescribeGroup(group).Error);
        // Time passes while another broker would be the coordinator: the unloaded group's timers
        // are stopped, so nothing of it expires here.
        clock.Advance(TimeSpan.FromSeconds(30));
        coordinator.OnElection(2, 1);
        await WaitLoadedAsync(coordinator, group);

        var after = coordinator.DescribeGroup(group);
        Assert.Equal((before.Error, before.State, before.ProtocolType, before.Protocol), (after.Error, after.State, after.ProtocolType, after.Protocol));
        var member = Assert.Single(after.Members);
        var memberBefore = Assert.Single(before.Members);
        Assert.Equal((memberBefore.MemberId, memberBefore.GroupInstanceId, memberBefore.ClientId, memberBefore.ClientHost),
            (member.MemberId, member.GroupInstanceId, member.ClientId, member.ClientHost));
        Assert.Equal(memberBefore.Assignment, member.Assignment);
        Assert.Equal(memberBefore.Metadata, member.Metadata);
        Assert.Equal(offsetsBefore, coordinator.FetchOffsets(group, null, false).Offsets);
        Assert.Equal(new FetchedOffset(T0, 1, -1, "x", ErrorCode.None), coordinator.FetchOffsets(simple, [T0], false).Offsets[0]);
        // The reloaded member carries on in its generation.
        Assert.Equal(ErrorCode.None, coordinator.Heartbeat(group, joined.MemberId, "i", joined.GenerationId));
        Assert.Equal(new byte[] { 5, 6 }, (await coordinator.SyncAsync(group, joined, instanceId: "i")).Assignment);
    }

    [Fact]
    public async Task A_stale_resignation_or_election_is_ignored()
    {
        await using var coordinator = NewCoordinator(new InMemoryGroupStore());
        coordinator.Start();
        var group = GroupOn(1);
        Assert.Equal(ErrorCode.NotCoordinator, coordinator.FetchOffsets(group, null, false).Error);
        coordinator.OnElection(1, 5);
        await WaitLoadedAsync(coordinator, group);
        Assert.All(await CommitAsync(coordinator, group, 3), r => Assert.Equal(ErrorCode.None, r.Error));

        // From the leadership before the one that elected this coordinator: changes nothing.
        await coordinator.OnResignation(1, 4).WaitAsync(Wait);
        Assert.Equal(3, coordinator.FetchOffsets(group, [T0], false).Offsets[0].Offset);
        Assert.All(await CommitAsync(coordinator, group, 4), r => Assert.Equal(ErrorCode.None, r.Error));

        await coordinator.OnResignation(1, 6).WaitAsync(Wait);
        Assert.Equal(ErrorCode.NotCoordinator, coordinator.FetchOffsets(group, null, false).Error);
        // An election older than that resignation is ignored too; a newer one loads.
        coordinator.OnElection(1, 5);
        Assert.Equal(ErrorCode.NotCoordinator, coordinator.FetchOffsets(group, null, false).Error);
        coordinator.OnElection(1, 7);
        await WaitLoadedAsync(coordinator, group);
        Assert.Equal(4, coordinator.FetchOffsets(group, [T0], false).Offsets[0].Offset);
    }

    [Fact]
    public async Task A_loading_partition_answers_coordinator_load_in_progress_until_loaded()
    {
        var store = new GatedGroupStore();
        var group = GroupOn(3);
        var other = GroupOn(0);
        await StoreCommitAsync(store, group, 11);

        var gate = store.HoldReads(3);
        await using var coordinator = NewCoordinator(store);
        coordinator.Start();
        coordinator.OnElection(0, 0);
        coordinator.OnElection(3, 0);
        await WaitLoadedAsync(coordinator, other);

        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, (await coordinator.JoinAsync(Join(group))).Error);
        // As Kafka: SyncGroup says rejoin, a heartbeat is answered blindly.
        Assert.Equal(ErrorCode.RebalanceInProgress, (await coordinator.SyncGroupAsync(group, 1, "m", null, null, null, new Dictionary<string, byte[]>()).Within()).Error);
        Assert.Equal(ErrorCode.None, coordinator.Heartbeat(group, "m", null, 1));
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, coordinator.LeaveGroup(group, [new("m", null)]).Error);
        Assert.All(await CommitAsync(coordinator, group, 12), r => Assert.Equal(ErrorCode.CoordinatorLoadInProgress, r.Error));
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, coordinator.FetchOffsets(group, [T0], false).Error);
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, coordinator.DescribeGroup(group).Error);
        Assert.Equal([(group, ErrorCode.CoordinatorLoadInProgress)], await coordinator.DeleteGroupsAsync([group]));
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, (await coordinator.DeleteOffsetsAsync(group, [T0])).Error);
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, coordinator.ListGroups().Error);
        // The loaded partition serves meanwhile.
        Assert.All(await CommitAsync(coordinator, other, 1), r => Assert.Equal(ErrorCode.None, r.Error));

        gate.SetResult();
        await WaitLoadedAsync(coordinator, group);
        Assert.Equal(11, coordinator.FetchOffsets(group, [T0], false).Offsets[0].Offset);
        Assert.Equal(ErrorCode.None, coordinator.ListGroups().Error);
        Assert.Equal(new[] { other, group }.Order(StringComparer.Ordinal), coordinator.ListGroups().Groups.Select(g => g.GroupId));
    }

    [Fact]
    public async Task A_partition_resigned_while_loading_is_not_served_and_loads_afresh_on_the_next_election()
    {
        var store = new GatedGroupStore();
        var group = GroupOn(2);
        await StoreCommitAsync(store, group, 21);
        store.HoldReads(2);
        await using var coordinator = NewCoordinator(store);
        coordinator.Start();
        coordinator.OnElection(2, 1);
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, coordinator.FetchOffsets(group, null, false).Error);

        // The resignation stops the load waiting on the store.
        await coordinator.OnResignation(2, 1).WaitAsync(Wait);
        Assert.Equal(ErrorCode.NotCoordinator, coordinator.FetchOffsets(group, null, false).Error);
        Assert.Empty(coordinator.ListGroups().Groups);

        store.HoldReads(2).SetResult();
        coordinator.OnElection(2, 2);
        await WaitLoadedAsync(coordinator, group);
        Assert.Equal(21, coordinator.FetchOffsets(group, [T0], false).Offsets[0].Offset);
    }

    [Fact]
    public async Task A_commit_in_flight_when_its_partition_is_resigned_completes_before_the_resignation_does_and_later_ones_never_land()
    {
        var store = new GatedGroupStore();
        var group = GroupOn(1);
        await using var coordinator = NewCoordinator(store);
        await coordinator.StartAsync();
        var held = store.HoldNextAppend(1);
        var inFlight = CommitAsync(coordinator, group, 30);
        await held.Entered.Task.WaitAsync(Wait);

        var resigned = coordinator.OnResignation(1, null);
        // The write is still in the store: the resignation waits for it.
        Assert.False(resigned.IsCompleted);
        Assert.All(await CommitAsync(coordinator, group, 31), r => Assert.Equal(ErrorCode.NotCoordinator, r.Error));
        held.Release.SetResult();
        // It was accepted before the resignation: it is in the log, and answered so.
        Assert.All(await inFlight.Within(), r => Assert.Equal(ErrorCode.None, r.Error));
        await resigned.WaitAsync(Wait);
        Assert.Single(store.Inner.RecordsOf(1));

        coordinator.OnElection(1, 1);
        await WaitLoadedAsync(coordinator, group);
        Assert.Equal(30, coordinator.FetchOffsets(group, [T0], false).Offsets[0].Offset);
    }

    [Fact]
    public async Task Commits_racing_resignations_never_land_after_a_resignation_completed()
    {
        var store = new GatedGroupStore();
        var led = true;
        var landedWhileNotLed = 0;
        store.OnAppend = _ =>
        {
            if (!Volatile.Read(ref led))
            {
                Interlocked.Increment(ref landedWhileNotLed);
            }
        };
        var group = GroupOn(0);
        await using var coordinator = NewCoordinator(store);
        await coordinator.StartAsync();
        using var stop = new CancellationTokenSource();
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<long>();
        var committers = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            for (long offset = c; !stop.IsCancellationRequested; offset += 4)
            {
                var result = await CommitAsync(coordinator, group, offset);
                if (result[0].Error == ErrorCode.None)
                {
                    acknowledged.Add(offset);
                }
                else
                {
                    Assert.Contains(result[0].Error, new[] { ErrorCode.NotCoordinator, ErrorCode.CoordinatorLoadInProgress });
                    await Task.Delay(1);
                }
            }
        })).ToList();

        for (var epoch = 1; epoch <= 30; epoch++)
        {
            await coordinator.OnResignation(0, epoch).WaitAsync(Wait);
            // Not led for a while: a write still let through would land now. (A longer or shorter
            // pause only changes how likely such a bug shows, never the outcome of correct code.)
            Volatile.Write(ref led, false);
            await Task.Delay(20);
            Volatile.Write(ref led, true);
            coordinator.OnElection(0, epoch);
            await WaitLoadedAsync(coordinator, group);
        }
        stop.Cancel();
        await Task.WhenAll(committers).WaitAsync(Wait);
        // One commit after the last election, made whatever the committers managed on a slow
        // machine, so the log check below always has something to check.
        const long Final = 1_000_000_000;
        Assert.Equal(ErrorCode.None, (await CommitAsync(coordinator, group, Final))[0].Error);
        acknowledged.Add(Final);

        Assert.Equal(0, landedWhileNotLed);
        // Every acknowledged commit is in the log.
        var stored = store.Inner.RecordsOf(0).Select(r => OffsetCommitValue.Deserialize(r.Value!).Offset).ToHashSet();
        Assert.All(acknowledged, offset => Assert.Contains(offset, stored));
    }

    [Fact]
    public async Task FindCoordinator_names_the_leader_of_the_groups_partition_as_the_metadata_says()
    {
        var brokers = Enumerable.Range(0, Partitions).Select(p => new BrokerEndpoint(10 + p, $"broker-{p}", 9092 + p, null)).ToArray();
        await using var coordinator = NewCoordinator(new InMemoryGroupStore(), p => p == 2 ? null : brokers[p]);
        Assert.Equal(brokers[1], coordinator.CoordinatorFor(GroupOn(1)));
        Assert.Equal(brokers[3], coordinator.CoordinatorFor(GroupOn(3)));
        Assert.Null(coordinator.CoordinatorFor(GroupOn(2)));
        // Nothing elected here: the leader is named all the same, this broker does not serve the group.
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, coordinator.FetchOffsets(GroupOn(1), null, false).Error);
    }
}
