using Gregor.Broker.Groups;
using Gregor.Protocol.Errors;
using static Gregor.Broker.Tests.Groups.GroupTestKit;

namespace Gregor.Broker.Tests.Groups;

/// <summary>The join and sync phases with one, two and three members; leader election and assignment relay.</summary>
public sealed class JoinSyncTests
{
    [Fact]
    public async Task Single_member_with_member_id_required_reaches_stable()
    {
        await using var coordinator = await StartAsync();
        Assert.Equal("Dead", coordinator.StateOf("g"));

        var first = await coordinator.JoinAsync(Join("g", requireKnownMemberId: true));
        Assert.Equal(ErrorCode.MemberIdRequired, first.Error);
        Assert.StartsWith("client-", first.MemberId);
        Assert.True(Guid.TryParse(first.MemberId["client-".Length..], out _));
        Assert.Equal("Empty", coordinator.StateOf("g"));

        var joined = await coordinator.JoinAsync(Join("g", memberId: first.MemberId, requireKnownMemberId: true));
        Assert.Equal(ErrorCode.None, joined.Error);
        Assert.Equal(first.MemberId, joined.MemberId);
        Assert.Equal(1, joined.GenerationId);
        Assert.Equal(joined.MemberId, joined.LeaderId);
        Assert.Equal("range", joined.ProtocolName);
        Assert.Equal("consumer", joined.ProtocolType);
        var member = Assert.Single(joined.MembersOrEmpty);
        Assert.Equal(Subscription("t"), member.Metadata);
        Assert.Equal("CompletingRebalance", coordinator.StateOf("g"));
        Assert.Equal(ErrorCode.None, coordinator.Heartbeat("g", joined.MemberId, null, 1));

        var synced = await coordinator.SyncAsync("g", joined, new Dictionary<string, byte[]> { [joined.MemberId] = [1, 2, 3] });
        Assert.Equal(ErrorCode.None, synced.Error);
        Assert.Equal(new byte[] { 1, 2, 3 }, synced.Assignment);
        Assert.Equal("range", synced.ProtocolName);
        Assert.Equal("Stable", coordinator.StateOf("g"));
        Assert.Equal(ErrorCode.None, coordinator.Heartbeat("g", joined.MemberId, null, 1));
    }

    [Fact]
    public async Task Second_member_triggers_a_rebalance_and_the_leaders_assignment_is_relayed()
    {
        await using var coordinator = await StartAsync();
        var m1 = await coordinator.StableSingleMemberAsync("g", [1]);

        var m2Join = coordinator.JoinGroupAsync(Join("g"));
        await Eventually(() => coordinator.StateOf("g") == "PreparingRebalance", "rebalance");
        Assert.False(m2Join.IsCompleted);
        Assert.Equal(ErrorCode.RebalanceInProgress, coordinator.Heartbeat("g", m1.MemberId, null, 1));

        var m1Rejoin = await coordinator.JoinAsync(Join("g", memberId: m1.MemberId));
        var m2 = await m2Join.Within();
        Assert.Equal(2, m1Rejoin.GenerationId);
        Assert.Equal(2, m2.GenerationId);
        Assert.Equal(m1.MemberId, m1Rejoin.LeaderId);
        Assert.Equal(m1.MemberId, m2.LeaderId);
        Assert.Equal([m1.MemberId, m2.MemberId], m1Rejoin.MembersOrEmpty.Select(m => m.MemberId));
        Assert.Empty(m2.MembersOrEmpty);

        // The follower's SyncGroup waits for the leader's.
        var m2Sync = coordinator.SyncGroupAsync("g", 2, m2.MemberId, null, null, null, new Dictionary<string, byte[]>());
        Assert.False(m2Sync.IsCompleted);
        var leaderSync = await coordinator.SyncAsync("g", m1Rejoin, new Dictionary<string, byte[]> { [m1.MemberId] = [10], [m2.MemberId] = [20, 21] });
        Assert.Equal(new byte[] { 10 }, leaderSync.Assignment);
        Assert.Equal(new byte[] { 20, 21 }, (await m2Sync.Within()).Assignment);
        Assert.Equal("Stable", coordinator.StateOf("g"));
    }

    [Fact]
    public async Task Three_members_joining_during_the_initial_delay_share_the_first_generation()
    {
        var clock = NewClock();
        await using var coordinator = await StartAsync(Options(initialDelayMs: 300), clock: clock);
        var joins = new[] { coordinator.JoinGroupAsync(Join("g")), coordinator.JoinGroupAsync(Join("g")), coordinator.JoinGroupAsync(Join("g")) };
        clock.AdvanceUntil(TimeSpan.FromMilliseconds(300), () => joins.All(j => j.IsCompleted), "the initial delay");
        var results = await Task.WhenAll(joins).WaitAsync(Wait);
        Assert.All(results, r => Assert.Equal(ErrorCode.None, r.Error));
        Assert.All(results, r => Assert.Equal(1, r.GenerationId));
        var leader = Assert.Single(results, r => r.MembersOrEmpty.Count == 3);
        Assert.Equal(results[0].MemberId, leader.MemberId); // the first to join leads
        Assert.All(results, r => Assert.Equal(leader.MemberId, r.LeaderId));

        // Members missing from the leader's assignment get an empty one.
        var syncs = results.Where(r => r != leader).Select(r => coordinator.SyncGroupAsync("g", 1, r.MemberId, null, null, null, new Dictionary<string, byte[]>())).ToList();
        await coordinator.SyncAsync("g", leader, new Dictionary<string, byte[]> { [results[1].MemberId] = [7] });
        var followerAssignments = (await Task.WhenAll(syncs).WaitAsync(Wait)).Select(s => s.Assignment!).ToList();
        Assert.Equal(new byte[] { 7 }, followerAssignments[0]);
        Assert.Empty(followerAssignments[1]);
        var described = coordinator.DescribeGroup("g");
        Assert.Equal("Stable", described.State);
        Assert.Equal(3, described.Members.Count);
    }

    [Fact]
    public async Task Protocol_is_the_common_one_most_members_prefer()
    {
        var clock = NewClock();
        await using var coordinator = await StartAsync(Options(initialDelayMs: 300), clock: clock);
        var a = new GroupProtocol("roundrobin", [1]);
        var b = new GroupProtocol("range", [2]);
        var c = new GroupProtocol("sticky", [3]);
        var joins = new[]
        {
            coordinator.JoinGroupAsync(Join("g", protocols: [a, c, b])),
            coordinator.JoinGroupAsync(Join("g", protocols: [c, b])),
            coordinator.JoinGroupAsync(Join("g", protocols: [b, c])),
        };
        clock.AdvanceUntil(TimeSpan.FromMilliseconds(300), () => joins.All(j => j.IsCompleted), "the initial delay");
        var results = await Task.WhenAll(joins).WaitAsync(Wait);
        // Common to all: range and sticky. Votes (first common pick of each): sticky, sticky, range.
        Assert.All(results, r => Assert.Equal("sticky", r.ProtocolName));
        var leader = Assert.Single(results, r => r.MembersOrEmpty.Count > 0);
        Assert.Equal(new byte[] { 3 }, leader.MembersOrEmpty[0].Metadata);
    }

    [Fact]
    public async Task Inconsistent_protocols_are_refused()
    {
        await using var coordinator = await StartAsync();
        await coordinator.StableSingleMemberAsync("g", [1]);
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, (await coordinator.JoinAsync(Join("g", protocols: new GroupProtocol("other", [])))).Error);
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, (await coordinator.JoinAsync(Join("g", protocolType: "connect"))).Error);
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, (await coordinator.JoinAsync(Join("h", protocolType: ""))).Error);
        Assert.Equal("Stable", coordinator.StateOf("g"));
    }

    [Fact]
    public async Task Session_timeout_must_be_within_the_configured_bounds()
    {
        await using var coordinator = await StartAsync();
        Assert.Equal(ErrorCode.InvalidSessionTimeout, (await coordinator.JoinAsync(Join("g", sessionMs: 5))).Error);
        Assert.Equal(ErrorCode.InvalidSessionTimeout, (await coordinator.JoinAsync(Join("g", sessionMs: 60_001))).Error);
        Assert.Equal(ErrorCode.InvalidGroupId, (await coordinator.JoinAsync(Join(""))).Error);
    }

    [Fact]
    public async Task Unknown_members_and_illegal_generations()
    {
        await using var coordinator = await StartAsync();
        Assert.Equal(ErrorCode.UnknownMemberId, (await coordinator.JoinAsync(Join("nope", memberId: "ghost"))).Error);
        var m1 = await coordinator.StableSingleMemberAsync("g", [1]);
        Assert.Equal(ErrorCode.UnknownMemberId, (await coordinator.JoinAsync(Join("g", memberId: "ghost"))).Error);
        Assert.Equal(ErrorCode.UnknownMemberId, coordinator.Heartbeat("g", "ghost", null, 1));
        Assert.Equal(ErrorCode.UnknownMemberId, coordinator.Heartbeat("nope", "ghost", null, 1));
        Assert.Equal(ErrorCode.IllegalGeneration, coordinator.Heartbeat("g", m1.MemberId, null, 7));
        Assert.Equal(ErrorCode.UnknownMemberId, (await coordinator.SyncGroupAsync("g", 1, "ghost", null, null, null, new Dictionary<string, byte[]>()).Within()).Error);
        Assert.Equal(ErrorCode.IllegalGeneration, (await coordinator.SyncGroupAsync("g", 0, m1.MemberId, null, null, null, new Dictionary<string, byte[]>()).Within()).Error);
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, (await coordinator.SyncGroupAsync("g", 1, m1.MemberId, null, "consumer", "roundrobin", new Dictionary<string, byte[]>()).Within()).Error);
    }

    [Fact]
    public async Task Follower_rejoining_a_stable_group_unchanged_gets_the_current_generation()
    {
        await using var coordinator = await StartAsync();
        var m1 = await coordinator.StableSingleMemberAsync("g", [1]);
        var m2Join = coordinator.JoinGroupAsync(Join("g"));
        var m1Again = await coordinator.JoinAsync(Join("g", memberId: m1.MemberId));
        var m2 = await m2Join.Within();
        await Task.WhenAll(coordinator.SyncAsync("g", m1Again), coordinator.SyncAsync("g", m2));

        var again = await coordinator.JoinAsync(Join("g", memberId: m2.MemberId));
        Assert.Equal(ErrorCode.None, again.Error);
        Assert.Equal(2, again.GenerationId);
        Assert.Equal("Stable", coordinator.StateOf("g"));

        // The leader rejoining forces a rebalance.
        var leaderRejoin = coordinator.JoinGroupAsync(Join("g", memberId: m1.MemberId));
        Assert.Equal("PreparingRebalance", coordinator.StateOf("g"));
        await coordinator.JoinAsync(Join("g", memberId: m2.MemberId));
        Assert.Equal(3, (await leaderRejoin.Within()).GenerationId);
    }
}
