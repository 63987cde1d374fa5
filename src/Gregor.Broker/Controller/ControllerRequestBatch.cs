using Gregor.Broker.Cluster;
using Gregor.Broker.Cluster.ZooKeeper;
using Gregor.Protocol.Messages;
using Gregor.Storage;

namespace Gregor.Broker.Controller;

/// <summary>
/// The requests one controller event sends, gathered per broker and sent together at its end (as
/// Kafka's ControllerBrokerRequestBatch): LeaderAndIsr to the replicas of changed partitions,
/// UpdateMetadata to every live broker, StopReplica to replicas going away. Every request carries
/// the controller's id and epoch and the receiver's broker epoch, which the receiver checks.
/// </summary>
public sealed class ControllerRequestBatch(int controllerId, ControllerEpoch term, ControllerContext context)
{
    public const short LeaderAndIsrVersion = 7;
    public const short UpdateMetadataVersion = 8;
    public const short StopReplicaVersion = 4;

    private readonly Dictionary<int, Dictionary<TopicPartition, (PartitionStateInfo State, bool IsNew)>> _leaderAndIsr = [];
    // Per broker, the partitions its UpdateMetadata carries (empty: only the live brokers).
    private readonly Dictionary<int, HashSet<TopicPartition>> _updateMetadata = [];
    private readonly Dictionary<int, Dictionary<TopicPartition, bool>> _stopReplica = [];

    /// <summary>
    /// LeaderAndIsr for <paramref name="partition"/> to the live ones of <paramref name="brokers"/>,
    /// and UpdateMetadata for it to every live broker.
    /// </summary>
    public void AddLeaderAndIsr(IEnumerable<int> brokers, TopicPartition partition, PartitionStateInfo state, bool isNew)
    {
        foreach (var broker in brokers.Where(context.IsLive))
        {
            if (!_leaderAndIsr.TryGetValue(broker, out var partitions))
            {
                _leaderAndIsr[broker] = partitions = [];
            }
            partitions[partition] = (state, isNew);
        }
        AddUpdateMetadata(context.LiveBrokers.Keys, [partition]);
    }

    /// <summary>UpdateMetadata with <paramref name="partitions"/> (and every live broker) to <paramref name="brokers"/>.</summary>
    public void AddUpdateMetadata(IEnumerable<int> brokers, IEnumerable<TopicPartition> partitions)
    {
        var list = partitions as ICollection<TopicPartition> ?? partitions.ToList();
        foreach (var broker in brokers.Where(context.IsLive))
        {
            if (!_updateMetadata.TryGetValue(broker, out var set))
            {
                _updateMetadata[broker] = set = [];
            }
            set.UnionWith(list);
        }
    }

    public void AddStopReplica(IEnumerable<int> brokers, TopicPartition partition, bool delete)
    {
        foreach (var broker in brokers.Where(context.IsLive))
        {
            if (!_stopReplica.TryGetValue(broker, out var partitions))
            {
                _stopReplica[broker] = partitions = [];
            }
            partitions[partition] = delete;
        }
    }

    public bool IsEmpty => _leaderAndIsr.Count == 0 && _updateMetadata.Count == 0 && _stopReplica.Count == 0;

    /// <summary>
    /// Sends what was gathered: LeaderAndIsr first, then UpdateMetadata, then StopReplica (each
    /// broker's channel keeps that order). <paramref name="onStopReplica"/> gets each StopReplica's
    /// broker and response (null: the broker went away first); it runs on the channel's thread.
    /// </summary>
    public void Send(IControllerChannel channel, Action<int, StopReplicaResponse?>? onStopReplica = null)
    {
        foreach (var (broker, partitions) in _leaderAndIsr)
        {
            channel.Send<LeaderAndIsrRequest, LeaderAndIsrResponse>(broker, BuildLeaderAndIsr(broker, partitions), LeaderAndIsrVersion, _ => { });
        }
        foreach (var (broker, partitions) in _updateMetadata)
        {
            channel.Send<UpdateMetadataRequest, UpdateMetadataResponse>(broker, BuildUpdateMetadata(broker, partitions), UpdateMetadataVersion, _ => { });
        }
        foreach (var (broker, partitions) in _stopReplica)
        {
            var target = broker;
            channel.Send<StopReplicaRequest, StopReplicaResponse>(broker, BuildStopReplica(broker, partitions), StopReplicaVersion,
                response => onStopReplica?.Invoke(target, response));
        }
        _leaderAndIsr.Clear();
        _updateMetadata.Clear();
        _stopReplica.Clear();
    }

    private long EpochOf(int broker) => context.LiveBrokers.TryGetValue(broker, out var b) ? b.Epoch : -1;

    private LeaderAndIsrRequest BuildLeaderAndIsr(int broker, Dictionary<TopicPartition, (PartitionStateInfo State, bool IsNew)> partitions)
    {
        var request = new LeaderAndIsrRequest
        {
            ControllerId = controllerId,
            ControllerEpoch = term.Epoch,
            BrokerEpoch = EpochOf(broker),
        };
        foreach (var topic in partitions.GroupBy(p => p.Key.Topic, StringComparer.Ordinal))
        {
            var assignment = context.Topics[topic.Key];
            request.TopicStates.Add(new LeaderAndIsrRequest.LeaderAndIsrTopicState
            {
                TopicName = topic.Key,
                TopicId = assignment.TopicId,
                PartitionStates = topic.Select(p => new LeaderAndIsrRequest.LeaderAndIsrPartitionState
                {
                    TopicName = topic.Key,
                    PartitionIndex = p.Key.Partition,
                    ControllerEpoch = p.Value.State.ControllerEpoch,
                    Leader = p.Value.State.LeaderAndIsr.Leader,
                    LeaderEpoch = p.Value.State.LeaderAndIsr.LeaderEpoch,
                    Isr = [.. p.Value.State.LeaderAndIsr.Isr],
                    PartitionEpoch = p.Value.State.LeaderAndIsr.PartitionEpoch,
                    Replicas = [.. context.ReplicasOf(p.Key)],
                    IsNew = p.Value.IsNew,
                }).ToList(),
            });
        }
        var leaders = partitions.Values.Select(p => p.State.LeaderAndIsr.Leader).Distinct();
        foreach (var leader in leaders)
        {
            if (context.LiveBrokers.TryGetValue(leader, out var live) && live.Endpoints.Count > 0)
            {
                request.LiveLeaders.Add(new LeaderAndIsrRequest.LeaderAndIsrLiveLeader { BrokerId = leader, HostName = live.Endpoints[0].Host, Port = live.Endpoints[0].Port });
            }
        }
        return request;
    }

    private UpdateMetadataRequest BuildUpdateMetadata(int broker, HashSet<TopicPartition> partitions)
    {
        var request = new UpdateMetadataRequest
        {
            ControllerId = controllerId,
            ControllerEpoch = term.Epoch,
            BrokerEpoch = EpochOf(broker),
        };
        foreach (var topic in partitions.GroupBy(p => p.Topic, StringComparer.Ordinal))
        {
            if (!context.Topics.TryGetValue(topic.Key, out var assignment))
            {
                continue;
            }
            var deleting = context.TopicsToDelete.Contains(topic.Key);
            var states = new List<UpdateMetadataRequest.UpdateMetadataPartitionState>();
            foreach (var partition in topic)
            {
                if (!context.States.TryGetValue(partition, out var state))
                {
                    continue;
                }
                var replicas = context.ReplicasOf(partition);
                states.Add(new UpdateMetadataRequest.UpdateMetadataPartitionState
                {
                    TopicName = topic.Key,
                    PartitionIndex = partition.Partition,
                    ControllerEpoch = state.ControllerEpoch,
                    Leader = deleting ? LeaderValues.LeaderDuringDelete : state.LeaderAndIsr.Leader,
                    LeaderEpoch = state.LeaderAndIsr.LeaderEpoch,
                    Isr = [.. state.LeaderAndIsr.Isr],
                    ZkVersion = state.LeaderAndIsr.PartitionEpoch,
                    Replicas = [.. replicas],
                    OfflineReplicas = replicas.Where(r => !context.IsLive(r)).ToList(),
                });
            }
            request.TopicStates.Add(new UpdateMetadataRequest.UpdateMetadataTopicState { TopicName = topic.Key, TopicId = assignment.TopicId, PartitionStates = states });
        }
        foreach (var live in context.LiveBrokers.Values.OrderBy(b => b.Id))
        {
            request.LiveBrokers.Add(new UpdateMetadataRequest.UpdateMetadataBroker
            {
                Id = live.Id,
                Rack = live.Rack,
                Endpoints = live.Endpoints.Select(e => new UpdateMetadataRequest.UpdateMetadataEndpoint
                {
                    Host = e.Host,
                    Port = e.Port,
                    Listener = e.Listener,
                    SecurityProtocol = e.SecurityProtocol,
                }).ToList(),
            });
        }
        return request;
    }

    private StopReplicaRequest BuildStopReplica(int broker, Dictionary<TopicPartition, bool> partitions)
    {
        var request = new StopReplicaRequest
        {
            ControllerId = controllerId,
            ControllerEpoch = term.Epoch,
            BrokerEpoch = EpochOf(broker),
        };
        foreach (var topic in partitions.GroupBy(p => p.Key.Topic, StringComparer.Ordinal))
        {
            request.TopicStates.Add(new StopReplicaRequest.StopReplicaTopicState
            {
                TopicName = topic.Key,
                PartitionStates = topic.Select(p => new StopReplicaRequest.StopReplicaPartitionState
                {
                    PartitionIndex = p.Key.Partition,
                    // -2: the partition is being deleted (Kafka's LeaderAndIsr.EpochDuringDelete); -1: no epoch check.
                    LeaderEpoch = p.Value ? -2 : (context.States.TryGetValue(p.Key, out var s) ? s.LeaderAndIsr.LeaderEpoch : -1),
                    DeletePartition = p.Value,
                }).ToList(),
            });
        }
        return request;
    }
}
