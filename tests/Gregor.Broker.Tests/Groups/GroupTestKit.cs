using System.Buffers.Binary;
using System.Text;
using Gregor.Broker.Groups;
using Gregor.Broker.Groups.Store;
using Gregor.Protocol.Errors;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gregor.Broker.Tests.Groups;

/// <summary>
/// Builds coordinators and the requests the tests send. Every coordinator runs on a fake clock:
/// its session, rebalance, initial-delay and retention timers fire only when a test advances the
/// clock, so no outcome depends on how fast the machine is. <see cref="Wait"/> only bounds how
/// long a test waits for an answer that is already due.
/// </summary>
internal static class GroupTestKit
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public static GroupCoordinatorOptions Options(int initialDelayMs = 0, int maxSize = int.MaxValue, long retentionMs = 60_000) => new()
    {
        MinSessionTimeoutMs = 10,
        MaxSessionTimeoutMs = 60_000,
        InitialRebalanceDelayMs = initialDelayMs,
        MaxSize = maxSize,
        OffsetsTopicNumPartitions = 4,
        OffsetsRetentionMs = retentionMs,
        OffsetsRetentionCheckIntervalMs = 60_000,
    };

    public static FakeTimeProvider NewClock() => new(DateTimeOffset.UtcNow);

    public static async Task<GroupCoordinator> StartAsync(GroupCoordinatorOptions? options = null, IGroupStore? store = null, FakeTimeProvider? clock = null)
    {
        var coordinator = new GroupCoordinator(options ?? Options(), store ?? new InMemoryGroupStore(), NullLogger<GroupCoordinator>.Instance, clock ?? NewClock());
        await coordinator.StartAsync();
        return coordinator;
    }

    /// <summary>Advances the clock a step at a time until the condition holds, failing after <paramref name="maxSteps"/>.</summary>
    public static void AdvanceUntil(this FakeTimeProvider clock, TimeSpan step, Func<bool> condition, string what, int maxSteps = 100)
    {
        for (var i = 0; !condition(); i++)
        {
            Assert.True(i < maxSteps, $"{what}: not after {maxSteps} steps of {step.TotalMilliseconds} ms");
            clock.Advance(step);
        }
    }

    /// <summary>The consumer protocol's subscription v0: version, topics, null user data.</summary>
    public static byte[] Subscription(params string[] topics)
    {
        var bytes = new List<byte>();
        var buffer = new byte[4];
        BinaryPrimitives.WriteInt16BigEndian(buffer, 0);
        bytes.AddRange(buffer[..2]);
        BinaryPrimitives.WriteInt32BigEndian(buffer, topics.Length);
        bytes.AddRange(buffer);
        foreach (var topic in topics)
        {
            BinaryPrimitives.WriteInt16BigEndian(buffer, (short)topic.Length);
            bytes.AddRange(buffer[..2]);
            bytes.AddRange(Encoding.UTF8.GetBytes(topic));
        }
        BinaryPrimitives.WriteInt32BigEndian(buffer, -1);
        bytes.AddRange(buffer);
        return [.. bytes];
    }

    public static GroupProtocol Range(params string[] topics) => new("range", Subscription(topics.Length == 0 ? ["t"] : topics));

    public static JoinGroupParameters Join(string groupId, string memberId = "", string? instanceId = null, int sessionMs = 5000,
        int rebalanceMs = 5000, string protocolType = "consumer", bool requireKnownMemberId = false, params GroupProtocol[] protocols) => new()
        {
            GroupId = groupId,
            MemberId = memberId,
            GroupInstanceId = instanceId,
            ClientId = "client",
            ClientHost = "/127.0.0.1",
            SessionTimeoutMs = sessionMs,
            RebalanceTimeoutMs = rebalanceMs,
            ProtocolType = protocolType,
            Protocols = protocols.Length == 0 ? [Range()] : protocols,
            RequireKnownMemberId = requireKnownMemberId,
        };

    public static async Task<T> Within<T>(this Task<T> task) => await task.WaitAsync(Wait);

    /// <summary>Joins as a new member and returns the JoinGroup result (after the join phase completes).</summary>
    public static Task<JoinGroupResult> JoinAsync(this GroupCoordinator coordinator, JoinGroupParameters join) => coordinator.JoinGroupAsync(join).Within();

    public static Task<SyncGroupResult> SyncAsync(this GroupCoordinator coordinator, string groupId, JoinGroupResult joined, IReadOnlyDictionary<string, byte[]>? assignments = null, string? instanceId = null) =>
        coordinator.SyncGroupAsync(groupId, joined.GenerationId, joined.MemberId, instanceId, null, null, assignments ?? new Dictionary<string, byte[]>()).Within();

    /// <summary>One member joins an empty group and syncs with the given assignment: the group is Stable.</summary>
    public static async Task<JoinGroupResult> StableSingleMemberAsync(this GroupCoordinator coordinator, string groupId, byte[] assignment, string? instanceId = null, int sessionMs = 5000, int rebalanceMs = 5000)
    {
        var joined = await coordinator.JoinAsync(Join(groupId, instanceId: instanceId, sessionMs: sessionMs, rebalanceMs: rebalanceMs));
        Assert.Equal(ErrorCode.None, joined.Error);
        var synced = await coordinator.SyncAsync(groupId, joined, new Dictionary<string, byte[]> { [joined.MemberId] = assignment }, instanceId);
        Assert.Equal(ErrorCode.None, synced.Error);
        return joined;
    }

    public static string StateOf(this GroupCoordinator coordinator, string groupId) => coordinator.DescribeGroup(groupId).State;

    /// <summary>Polls until the condition holds (timer-driven transitions), failing after <see cref="Wait"/>.</summary>
    public static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}");
            }
            await Task.Delay(10);
        }
    }
}
