using Gregor.Broker.Groups;
using Gregor.Protocol.Errors;
using static Gregor.Broker.Tests.Groups.GroupTestKit;

namespace Gregor.Broker.Tests.Groups;

/// <summary>Heartbeats per state, session and rebalance timeouts, LeaveGroup, MEMBER_ID_REQUIRED and group.max.size.</summary>
public sealed class MembershipTests
{
    [Fact]
    public async Task Heartbeat_answers_per_state()
    {
        await using var coordinator = await StartAsync();
        var m1 = await coordinator.JoinAsync(Join("g"));
        // CompletingRebalance: accepted (a member may heartbeat between JoinGroup and SyncGroup).
        Assert.Equal(ErrorCode.None, coordinator.Heartbeat("g", m1.MemberId, null, 1));
        // SyncGroup during PreparingRebalance, Heartbeat during PreparingRebalance.
        await coordinator.SyncAsync("g", m1);
        var m2Join = coordinator.JoinGroupAsync(Join("g"));
        Assert.Equal(ErrorCode.RebalanceInProgress, coordinator.Heartbeat("g", m1.MemberId, null, 1));
        Assert.Equal(ErrorCode.RebalanceInProgress, (await coordinator.SyncAsync("g", m1)).Error);
        // Empty: the old member id is gone.
        Assert.Equal(ErrorCode.None, coordinator.LeaveGroup("g", [new LeavingMember(m1.MemberId, null)]).Members[0].Error);
        var m2 = await m2Join.Within();
        Assert.Equal(ErrorCode.None, coordinator.LeaveGroup("g", [new LeavingMember(m2.MemberId, null)]).Members[0].Error);
        Assert.Equal("Empty", coordinator.StateOf("g"));
        Assert.Equal(ErrorCode.UnknownMemberId, coordinator.Heartbeat("g", m2.MemberId, null, m2.GenerationId));
        // Dead (deleted): unknown group.
        Assert.Equal(ErrorCode.None, (await coordinator.DeleteGroupsAsync(["g"]))[0].Error);
        Assert.Equal(ErrorCode.UnknownMemberId, coordinator.Heartbeat("g", m2.MemberId, null, m2.GenerationId));
    }

    [Fact]
    public async Task Member_that_stops_heartbeating_is_removed_after_its_session_timeout()
    {
        var clock = NewClock();
        await using var coordinator = await StartAsync(clock: clock);
        await coordinator.StableSingleMemberAsync("g", [1], sessionMs: 150);
        clock.Advance(TimeSpan.FromMilliseconds(149));
        Assert.Equal("Stable", coordinator.StateOf("g"));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually(() => coordinator.StateOf("g") == "Empty", "the silent member's expiry");
        Assert.Empty(coordinator.DescribeGroup("g").Members);
    }

    [Fact]
    public async Task Heartbeats_keep_a_member_alive_while_a_silent_one_expires()
    {
        var clock = NewClock();
        await using var coordinator = await StartAsync(clock: clock);
        var m1 = await coordinator.JoinAsync(Join("g", sessionMs: 300, rebalanceMs: 1000));
        await coordinator.SyncAsync("g", m1);
        // m1's session (300 ms) is the one meant to run out; m2 heartbeats every 50 ms of its 3 s.
        var m2Join = coordinator.JoinGroupAsync(Join("g", sessionMs: 3000, rebalanceMs: 1000));
        var m1Rejoin = await coordinator.JoinAsync(Join("g", memberId: m1.MemberId, sessionMs: 300, rebalanceMs: 1000));
        var m2 = await m2Join.Within();
        await Task.WhenAll(coordinator.SyncAsync("g", m1Rejoin), coordinator.SyncAsync("g", m2));

        // Only m2 heartbeats; m1 expires after 300 ms and m2 is told to rejoin.
        for (var elapsed = 50; elapsed < 300; elapsed += 50)
        {
            clock.Advance(TimeSpan.FromMilliseconds(50));
            Assert.Equal(ErrorCode.None, coordinator.Heartbeat("g", m2.MemberId, null, 2));
        }
        clock.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(ErrorCode.RebalanceInProgress, coordinator.Heartbeat("g", m2.MemberId, null, 2));
        var rejoined = await coordinator.JoinAsync(Join("g", memberId: m2.MemberId, sessionMs: 3000, rebalanceMs: 1000));
        Assert.Equal(3, rejoined.GenerationId);
        Assert.Equal(m2.MemberId, rejoined.LeaderId);
        Assert.Single(rejoined.MembersOrEmpty);
        Assert.Equal(ErrorCode.UnknownMemberId, coordinator.Heartbeat("g", m1.MemberId, null, 2));
    }

    [Fact]
    public async Task Members_that_do_not_rejoin_within_the_rebalance_timeout_are_removed()
    {
        var clock = NewClock();
        await using var coordinator = await StartAsync(clock: clock);
        var m1 = await coordinator.JoinAsync(Join("g", rebalanceMs: 1000));
        await coordinator.SyncAsync("g", m1);
        var m2Join = coordinator.JoinGroupAsync(Join("g", rebalanceMs: 1000));
        var m1Rejoin = await coordinator.JoinAsync(Join("g", memberId: m1.MemberId, rebalanceMs: 1000));
        var m2 = await m2Join.Within();
        await Task.WhenAll(coordinator.SyncAsync("g", m1Rejoin), coordinator.SyncAsync("g", m2));

        // A third member joins; m1 rejoins, m2 never does: the join phase lasts the whole
        // rebalance timeout (1 s) and then goes on without m2.
        var m3Join = coordinator.JoinGroupAsync(Join("g", rebalanceMs: 1000));
        var m1Third = coordinator.JoinGroupAsync(Join("g", memberId: m1.MemberId, rebalanceMs: 1000));
        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(m3Join.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var m3 = await m3Join.Within();
        Assert.Equal(3, m3.GenerationId);
        var leader = await m1Third.Within();
        Assert.Equal([m1.MemberId, m3.MemberId], leader.MembersOrEmpty.Select(m => m.MemberId));
        Assert.Equal(ErrorCode.UnknownMemberId, coordinator.Heartbeat("g", m2.MemberId, null, 2));
    }

    [Fact]
    public async Task Members_that_do_not_sync_within_the_rebalance_timeout_are_removed()
    {
        var clock = NewClock();
        await using var coordinator = await StartAsync(clock: clock);
        var m1 = await coordinator.JoinAsync(Join("g", rebalanceMs: 200, sessionMs: 5000));
        Assert.Equal("CompletingRebalance", coordinator.StateOf("g"));
        // No SyncGroup within the rebalance timeout: the member is removed and the group, now
        // without members, goes back to Empty.
        clock.Advance(TimeSpan.FromMilliseconds(199));
        Assert.Equal("CompletingRebalance", coordinator.StateOf("g"));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually(() => coordinator.StateOf("g") == "Empty", "the pending sync's expiry");
        Assert.Equal(ErrorCode.UnknownMemberId, coordinator.Heartbeat("g", m1.MemberId, null, 1));
    }

    [Fact]
    public async Task Leader_leaving_hands_leadership_to_a_remaining_member()
    {
        await using var coordinator = await StartAsync();
        var m1 = await coordinator.StableSingleMemberAsync("g", [1]);
        var m2Join = coordinator.JoinGroupAsync(Join("g"));
        var m1Rejoin = await coordinator.JoinAsync(Join("g", memberId: m1.MemberId));
        var m2 = await m2Join.Within();
        await Task.WhenAll(coordinator.SyncAsync("g", m1Rejoin), coordinator.SyncAsync("g", m2));

        var leave = coordinator.LeaveGroup("g", [new LeavingMember(m1.MemberId, null), new LeavingMember("ghost", null)]);
        Assert.Equal(ErrorCode.None, leave.Error);
        Assert.Equal([ErrorCode.None, ErrorCode.UnknownMemberId], leave.Members.Select(m => m.Error));
        Assert.Equal("PreparingRebalance", coordinator.StateOf("g"));
        var rejoined = await coordinator.JoinAsync(Join("g", memberId: m2.MemberId));
        Assert.Equal(m2.MemberId, rejoined.LeaderId);
        Assert.Equal(3, rejoined.GenerationId);
        Assert.Equal(ErrorCode.None, coordinator.LeaveGroup("nope", [new LeavingMember("x", null)]).Error);
        Assert.Equal(ErrorCode.UnknownMemberId, coordinator.LeaveGroup("nope", [new LeavingMember("x", null)]).Members[0].Error);
    }

    [Fact]
    public async Task Pending_member_id_expires_if_the_member_never_joins_with_it()
    {
        var clock = NewClock();
        await using var coordinator = await StartAsync(clock: clock);
        var first = await coordinator.JoinAsync(Join("g", sessionMs: 100, requireKnownMemberId: true));
        Assert.Equal(ErrorCode.MemberIdRequired, first.Error);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(ErrorCode.UnknownMemberId, (await coordinator.JoinAsync(Join("g", memberId: first.MemberId, sessionMs: 100, requireKnownMemberId: true))).Error);
    }

    [Fact]
    public async Task Pending_members_hold_back_the_join_phase_until_they_join()
    {
        await using var coordinator = await StartAsync();
        var m1 = await coordinator.StableSingleMemberAsync("g", [1]);
        var pending = await coordinator.JoinAsync(Join("g", requireKnownMemberId: true));
        Assert.Equal(ErrorCode.MemberIdRequired, pending.Error);
        Assert.Equal("Stable", coordinator.StateOf("g"));
        var m2Join = coordinator.JoinGroupAsync(Join("g", memberId: pending.MemberId, requireKnownMemberId: true));
        var m1Rejoin = await coordinator.JoinAsync(Join("g", memberId: m1.MemberId));
        Assert.Equal(2, m1Rejoin.MembersOrEmpty.Count);
        Assert.Equal(pending.MemberId, (await m2Join.Within()).MemberId);
    }

    [Fact]
    public async Task Group_max_size_turns_away_extra_members()
    {
        await using var coordinator = await StartAsync(Options(maxSize: 2));
        var m1 = await coordinator.StableSingleMemberAsync("g", [1]);
        var m2Join = coordinator.JoinGroupAsync(Join("g"));
        var m1Rejoin = await coordinator.JoinAsync(Join("g", memberId: m1.MemberId));
        var m2 = await m2Join.Within();
        await Task.WhenAll(coordinator.SyncAsync("g", m1Rejoin), coordinator.SyncAsync("g", m2));

        // Stable and full: a new member is turned away without an id.
        var m3 = await coordinator.JoinAsync(Join("g"));
        Assert.Equal(ErrorCode.GroupMaxSizeReached, m3.Error);
        Assert.Equal("", m3.MemberId);
        Assert.Equal("Stable", coordinator.StateOf("g"));

        // While preparing a rebalance the limit counts members that have (re)joined, so the last
        // to rejoin is the one turned away (and removed).
        var leaderRejoin = coordinator.JoinGroupAsync(Join("g", memberId: m1.MemberId));
        var m4Join = coordinator.JoinGroupAsync(Join("g"));
        var m2Rejoin = await coordinator.JoinAsync(Join("g", memberId: m2.MemberId));
        Assert.Equal(ErrorCode.GroupMaxSizeReached, m2Rejoin.Error);
        var m4 = await m4Join.Within();
        Assert.Equal(ErrorCode.None, m4.Error);
        Assert.Equal([m1.MemberId, m4.MemberId], (await leaderRejoin.Within()).MembersOrEmpty.Select(m => m.MemberId));
    }

    [Fact]
    public async Task Dispose_answers_parked_joins_and_stops_serving()
    {
        var coordinator = await StartAsync(Options(initialDelayMs: 10_000));
        var parked = coordinator.JoinGroupAsync(Join("g"));
        await coordinator.DisposeAsync();
        Assert.Equal(ErrorCode.NotCoordinator, (await parked.Within()).Error);
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, coordinator.Heartbeat("g", "m", null, 1));
    }
}
