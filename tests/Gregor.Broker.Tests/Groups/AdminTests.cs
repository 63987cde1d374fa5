using System.Runtime.CompilerServices;
using Gregor.Broker.Groups;
using Gregor.Broker.Groups.Store;
using Gregor.Protocol.Errors;
using static Gregor.Broker.Tests.Groups.GroupTestKit;

namespace Gregor.Broker.Tests.Groups;

/// <summary>DescribeGroups, ListGroups, DeleteGroups, and loading state back from the store.</summary>
public sealed class AdminTests
{
    [Fact]
    public async Task Describe_shows_metadata_and_assignment_only_when_stable()
    {
        await using var coordinator = await StartAsync();
        var m1 = await coordinator.StableSingleMemberAsync("g", [9, 9]);
        var stable = coordinator.DescribeGroup("g");
        Assert.Equal(("Stable", "consumer", "range"), (stable.State, stable.ProtocolType, stable.Protocol));
        var member = Assert.Single(stable.Members);
        Assert.Equal((m1.MemberId, "client", "/127.0.0.1"), (member.MemberId, member.ClientId, member.ClientHost));
        Assert.Equal(Subscription("t"), member.Metadata);
        Assert.Equal(new byte[] { 9, 9 }, member.Assignment);

        _ = coordinator.JoinGroupAsync(Join("g"));
        var preparing = coordinator.DescribeGroup("g");
        Assert.Equal(("PreparingRebalance", ""), (preparing.State, preparing.Protocol));
        Assert.Equal(2, preparing.Members.Count);
        Assert.All(preparing.Members, m => Assert.Empty(m.Metadata));

        var unknown = coordinator.DescribeGroup("nope");
        Assert.Equal((ErrorCode.None, "Dead", 0), (unknown.Error, unknown.State, unknown.Members.Count));
    }

    [Fact]
    public async Task List_filters_by_state_and_type()
    {
        await using var coordinator = await StartAsync();
        await coordinator.StableSingleMemberAsync("stable", [1]);
        await coordinator.CommitOffsetsAsync(new() { GroupId = "offsets-only", Offsets = [new(new("t", 0), 1, -1, "")] });

        var (error, all) = coordinator.ListGroups();
        Assert.Equal(ErrorCode.None, error);
        Assert.Equal([new GroupOverview("offsets-only", "", GroupState.Empty), new GroupOverview("stable", "consumer", GroupState.Stable)], all);
        Assert.Equal(["stable"], coordinator.ListGroups(["STABLE"]).Groups.Select(g => g.GroupId));
        Assert.Equal(["offsets-only"], coordinator.ListGroups(["Empty", "Dead"]).Groups.Select(g => g.GroupId));
        Assert.Empty(coordinator.ListGroups(["PreparingRebalance"]).Groups);
        Assert.Equal(2, coordinator.ListGroups(typesFilter: ["Classic"]).Groups.Count);
        Assert.Empty(coordinator.ListGroups(typesFilter: ["consumer"]).Groups);
    }

    [Fact]
    public async Task Delete_removes_empty_groups_and_their_offsets()
    {
        var store = new InMemoryGroupStore();
        await using var coordinator = await StartAsync(store: store);
        var m = await coordinator.StableSingleMemberAsync("busy", [1]);
        await coordinator.CommitOffsetsAsync(new() { GroupId = "idle", Offsets = [new(new("t", 0), 1, -1, "")] });

        var results = await coordinator.DeleteGroupsAsync(["busy", "idle", "nope"]);
        Assert.Equal([("busy", ErrorCode.NonEmptyGroup), ("idle", ErrorCode.None), ("nope", ErrorCode.GroupIdNotFound)], results);
        Assert.Equal(-1, coordinator.FetchOffsets("idle", [new("t", 0)], false).Offsets[0].Offset);
        Assert.Equal("Dead", coordinator.StateOf("idle"));
        Assert.Null(store.RecordsOf(coordinator.PartitionFor("idle"))[^1].Value);

        coordinator.LeaveGroup("busy", [new(m.MemberId, null)]);
        Assert.Equal(ErrorCode.None, (await coordinator.DeleteGroupsAsync(["busy"]))[0].Error);
        Assert.Empty(coordinator.ListGroups().Groups);
    }

    [Fact]
    public async Task A_new_coordinator_on_the_same_store_loads_groups_and_offsets()
    {
        var store = new InMemoryGroupStore();
        string memberId;
        await using (var first = await StartAsync(store: store))
        {
            memberId = (await first.StableSingleMemberAsync("g", [5, 6], instanceId: "i")).MemberId;
            await first.CommitOffsetsAsync(new() { GroupId = "g", GenerationId = 1, MemberId = memberId, GroupInstanceId = "i", Offsets = [new(new("t", 3), 77, 2, "meta")] });
            await first.CommitOffsetsAsync(new() { GroupId = "simple", Offsets = [new(new("u", 0), 1, -1, "")] });
            await first.CommitOffsetsAsync(new() { GroupId = "deleted", Offsets = [new(new("u", 0), 1, -1, "")] });
            await first.DeleteGroupsAsync(["deleted"]);
        }

        await using var second = await StartAsync(store: store);
        var described = second.DescribeGroup("g");
        Assert.Equal("Stable", described.State);
        var member = Assert.Single(described.Members);
        Assert.Equal((memberId, "i"), (member.MemberId, member.GroupInstanceId));
        Assert.Equal(new byte[] { 5, 6 }, member.Assignment);
        Assert.Equal(new FetchedOffset(new("t", 3), 77, 2, "meta", ErrorCode.None), second.FetchOffsets("g", [new("t", 3)], false).Offsets[0]);
        Assert.Equal(ErrorCode.None, second.Heartbeat("g", memberId, "i", 1));
        Assert.Equal(["g", "simple"], second.ListGroups().Groups.Select(g => g.GroupId));
    }

    [Fact]
    public async Task Requests_during_loading_get_coordinator_load_in_progress()
    {
        var store = new BlockingStore();
        await using var coordinator = new GroupCoordinator(Options(), store, Microsoft.Extensions.Logging.Abstractions.NullLogger<GroupCoordinator>.Instance);
        var start = coordinator.StartAsync();
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, (await coordinator.JoinAsync(Join("g"))).Error);
        Assert.Equal(ErrorCode.RebalanceInProgress, (await coordinator.SyncGroupAsync("g", 1, "m", null, null, null, new Dictionary<string, byte[]>())).Error);
        // Kafka answers a heartbeat blindly while the group's partition loads.
        Assert.Equal(ErrorCode.None, coordinator.Heartbeat("g", "m", null, 1));
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, coordinator.FetchOffsets("g", null, false).Error);
        Assert.Equal(ErrorCode.CoordinatorLoadInProgress, coordinator.ListGroups().Error);
        store.Release.SetResult();
        await start.WaitAsync(Wait);
        Assert.Equal(ErrorCode.None, coordinator.FetchOffsets("g", null, false).Error);
    }

    private sealed class BlockingStore : IGroupStore
    {
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask AppendAsync(int partition, IReadOnlyList<GroupStoreRecord> records, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public async IAsyncEnumerable<GroupStoreRecord> ReadAsync(int partition, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Release.Task.WaitAsync(cancellationToken);
            yield break;
        }
    }
}
