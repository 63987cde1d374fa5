using Gregor.Protocol.Errors;
using static Gregor.Broker.Tests.Groups.GroupTestKit;

namespace Gregor.Broker.Tests.Groups;

/// <summary>group.instance.id: a restarted member takes its old place without a rebalance; its old id is fenced.</summary>
public sealed class StaticMembershipTests
{
    [Fact]
    public async Task Restarted_static_leader_rejoins_without_a_rebalance_and_keeps_its_assignment()
    {
        await using var coordinator = await StartAsync();
        var before = await coordinator.StableSingleMemberAsync("g", [4, 2], instanceId: "i1");
        Assert.StartsWith("i1-", before.MemberId);

        // Restart: no member id, same instance id. Even with v4+ semantics no MEMBER_ID_REQUIRED round trip.
        var after = await coordinator.JoinAsync(Join("g", instanceId: "i1", requireKnownMemberId: true));
        Assert.Equal(ErrorCode.None, after.Error);
        Assert.NotEqual(before.MemberId, after.MemberId);
        Assert.StartsWith("i1-", after.MemberId);
        Assert.Equal(1, after.GenerationId);
        Assert.Equal(after.MemberId, after.LeaderId);
        Assert.True(after.SkipAssignment);
        Assert.Equal("Stable", coordinator.StateOf("g"));

        var synced = await coordinator.SyncAsync("g", after, instanceId: "i1");
        Assert.Equal(new byte[] { 4, 2 }, synced.Assignment);
        Assert.Equal("Stable", coordinator.StateOf("g"));

        // The old incarnation is fenced everywhere.
        Assert.Equal(ErrorCode.FencedInstanceId, coordinator.Heartbeat("g", before.MemberId, "i1", 1));
        Assert.Equal(ErrorCode.FencedInstanceId, (await coordinator.SyncAsync("g", before, instanceId: "i1")).Error);
        Assert.Equal(ErrorCode.FencedInstanceId, (await coordinator.JoinAsync(Join("g", memberId: before.MemberId, instanceId: "i1"))).Error);
        var commit = await coordinator.CommitOffsetsAsync(new() { GroupId = "g", GenerationId = 1, MemberId = before.MemberId, GroupInstanceId = "i1", Offsets = [new(new("t", 0), 5, -1, null)] });
        Assert.Equal(ErrorCode.FencedInstanceId, commit[0].Error);
        Assert.Equal(ErrorCode.None, coordinator.Heartbeat("g", after.MemberId, "i1", 1));
    }

    [Fact]
    public async Task Restarted_static_follower_does_not_disturb_the_group()
    {
        await using var coordinator = await StartAsync();
        var leader = await coordinator.StableSingleMemberAsync("g", [1], instanceId: "a");
        var followerJoin = coordinator.JoinGroupAsync(Join("g", instanceId: "b"));
        var leaderRejoin = await coordinator.JoinAsync(Join("g", memberId: leader.MemberId, instanceId: "a"));
        var follower = await followerJoin.Within();
        await Task.WhenAll(
            coordinator.SyncAsync("g", leaderRejoin, new Dictionary<string, byte[]> { [leader.MemberId] = [1], [follower.MemberId] = [2] }, "a"),
            coordinator.SyncAsync("g", follower, instanceId: "b"));

        var restarted = await coordinator.JoinAsync(Join("g", instanceId: "b"));
        Assert.Equal(2, restarted.GenerationId);
        Assert.Equal(leader.MemberId, restarted.LeaderId);
        Assert.False(restarted.SkipAssignment);
        Assert.Empty(restarted.MembersOrEmpty);
        Assert.Equal(new byte[] { 2 }, (await coordinator.SyncAsync("g", restarted, instanceId: "b")).Assignment);
        Assert.Equal(ErrorCode.None, coordinator.Heartbeat("g", leader.MemberId, "a", 2));
        Assert.Equal("Stable", coordinator.StateOf("g"));
        Assert.Equal(["a", "b"], coordinator.DescribeGroup("g").Members.Select(m => m.GroupInstanceId));
    }

    [Fact]
    public async Task Unknown_instance_with_a_member_id_is_an_unknown_member()
    {
        await using var coordinator = await StartAsync();
        var m = await coordinator.StableSingleMemberAsync("g", [1], instanceId: "a");
        Assert.Equal(ErrorCode.UnknownMemberId, (await coordinator.JoinAsync(Join("g", memberId: m.MemberId, instanceId: "zz"))).Error);
    }

    [Fact]
    public async Task Static_member_can_be_removed_by_instance_id()
    {
        await using var coordinator = await StartAsync();
        await coordinator.StableSingleMemberAsync("g", [1], instanceId: "a");
        var leave = coordinator.LeaveGroup("g", [new("", "a")]);
        Assert.Equal(ErrorCode.None, leave.Members[0].Error);
        Assert.Equal("Empty", coordinator.StateOf("g"));
    }

    [Fact]
    public async Task Leaving_with_a_stale_member_id_is_fenced()
    {
        await using var coordinator = await StartAsync();
        var old = await coordinator.StableSingleMemberAsync("g", [1], instanceId: "a");
        await coordinator.JoinAsync(Join("g", instanceId: "a"));
        Assert.Equal(ErrorCode.FencedInstanceId, coordinator.LeaveGroup("g", [new(old.MemberId, "a")]).Members[0].Error);
        Assert.Equal("Stable", coordinator.StateOf("g"));
    }
}
