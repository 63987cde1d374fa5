using System.Net.Sockets;
using Gregor.Broker.Admin;
using Gregor.Broker.Cluster;
using Gregor.Broker.Cluster.ZooKeeper;
using Gregor.Broker.Config;
using Gregor.Broker.Controller;
using Gregor.Broker.Fetching;
using Gregor.Broker.Groups;
using Gregor.Broker.Groups.Store;
using Gregor.Broker.Handlers;
using Gregor.Broker.InterBroker;
using Gregor.Broker.Network;
using Gregor.Broker.Partitions;
using Gregor.Broker.Producers;
using Gregor.Broker.Replication;
using Gregor.Broker.Requests;
using Gregor.Broker.Topics;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;
using Gregor.Storage;
using Gregor.ZooKeeper;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Server;

/// <summary>
/// ZooKeeper mode (zookeeper.connect set), in Kafka's start-up order: connect to ZooKeeper (or
/// stop after zookeeper.connection.timeout.ms), agree on the cluster id, load the logs with the
/// topic configs ZooKeeper holds, listen, register this broker (a broker.id held by a live broker
/// stops start-up), then take part in the controller election. Partitions are served once the
/// controller says this broker leads them (LeaderAndIsr), and the metadata cache is what it says
/// (UpdateMetadata). Shutdown asks the controller to move leadership away first (ControlledShutdown).
/// </summary>
public sealed partial class BrokerServer
{
    private ZooKeeperSession? _zooKeeper;
    private KafkaController? _controller;
    private ControllerChannelManager? _channels;
    private ClusterMetadataCache? _clusterMetadata;
    private ControllerFence? _fence;
    private ReplicaFetcherManager? _replicaFetchers;
    private AlterPartitionManager? _alterPartitions;
    private IsrShrinker? _isrShrinker;

    /// <summary>The ZooKeeper client's settings from the zookeeper.* keys.</summary>
    internal static ZooKeeperClientOptions ZooKeeperClientOptionsFor(BrokerConfig config, ZooKeeperConnect connect, ILogger logger) => new()
    {
        ConnectString = connect.ToString(),
        SessionTimeout = TimeSpan.FromMilliseconds(config.ZooKeeperSessionTimeoutMs),
        ConnectionTimeout = TimeSpan.FromMilliseconds(config.ZooKeeperConnectionTimeoutMs),
        MaxInFlightRequests = config.ZooKeeperMaxInFlightRequests,
        Logger = logger,
    };

    private void StartInCluster(ZooKeeperConnect connect)
    {
        var zkLogger = _loggerFactory.CreateLogger("Gregor.ZooKeeper");
        var options = ZooKeeperClientOptionsFor(_config, connect, zkLogger);
        try
        {
            _zooKeeper = ZooKeeperSession.ConnectAsync(options, zkLogger, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (ZooKeeperConnectException e)
        {
            throw new StartupException($"Timed out waiting for connection to ZooKeeper at {connect} (zookeeper.connection.timeout.ms={_config.ZooKeeperConnectionTimeoutMs}): {e.Message}", e);
        }
        var zk = _zooKeeper;
        zk.Store.EnsureBasePathsAsync().GetAwaiter().GetResult();
        var clusterId = ClusterIdentity.LoadOrCreate(_config.LogDirs, _config.BrokerId,
            proposed => zk.Store.GetOrCreateClusterIdAsync(proposed).GetAwaiter().GetResult());

        var dynamicConfig = DynamicBrokerConfig.Load(_config);
        var effective = dynamicConfig.Current;
        LogEffectiveConfig(effective);
        var topicConfigs = new TopicConfigCache(zk, _loggerFactory.CreateLogger<TopicConfigCache>());
        var storedConfigs = ReadTopicConfigs(zk, topicConfigs);
        var openFiles = OpenFilesLimit.RaiseSoftToHard(_logger);
        var storage = StorageOptions.From(effective, clusterId) with { MaxOpenDescriptors = openFiles is { } limit ? OpenFilesLimit.ForLogs(limit) : long.MaxValue };
        _logs = new LogManager(storage, topic => storedConfigs.GetValueOrDefault(topic) is { } overrides ? TopicManager.LogConfigFor(effective, overrides) : null, _loggerFactory);
        try
        {
            _logs.Startup();
        }
        catch (LogDirInUseException e)
        {
            throw new StartupException(e.Message, e);
        }

        var (listenerConfig, self) = BindListener();
        _clusterMetadata = new ClusterMetadataCache(clusterId, listenerConfig.ListenerName);
        _fence = new ControllerFence();
        var metadata = _clusterMetadata;
        var replicas = new ReplicaManager(_logs, _config.BrokerId);
        var logs = _logs;
        var store = new ZooKeeperTopicStore(zk, metadata, topicConfigs,
            broker => ApplyBrokerDefaults(logs, topicConfigs, broker),
            _loggerFactory.CreateLogger<ZooKeeperTopicStore>());
        var topics = new TopicManager(effective, store, metadata, new PartitionBudget(_logs), _loggerFactory.CreateLogger<TopicManager>());

        var groupStore = new LogGroupStore(topics, replicas, _config, _loggerFactory.CreateLogger<LogGroupStore>());
        var groupsLogger = _loggerFactory.CreateLogger<GroupCoordinator>();
        _groups = new GroupCoordinator(GroupCoordinatorOptions.From(_config), groupStore, groupsLogger,
            leaderOf: OffsetsTopicLeaders.From(metadata, () => CreateOffsetsTopicInBackground(groupStore, groupsLogger)));
        _groups.Start();
        var leadership = new CoordinatorLeadership(_groups);
        var producerIds = new ProducerIdManager(() =>
        {
            var block = zk.Store.AllocateProducerIdBlockAsync(_config.BrokerId).GetAwaiter().GetResult();
            return (block.FirstProducerId, block.LastProducerId);
        });
        // ISR changes as leader: proposed to the controller (AlterPartition) on followers' fetches and by the ISR expiry check.
        var fence = _fence;
        _alterPartitions = new AlterPartitionManager(_config.BrokerId, () => fence.BrokerEpoch, metadata, _loggerFactory.CreateLogger<AlterPartitionManager>());
        _alterPartitions.Start();
        _isrShrinker = new IsrShrinker(() => replicas.Partitions, _alterPartitions, _config.ReplicaLagTimeMaxMs, TimeProvider.System, _loggerFactory.CreateLogger<IsrShrinker>());
        _isrShrinker.Start();
        var handlers = ClientHandlers(metadata, topics, replicas, producerIds, dynamicConfig, self, _alterPartitions);

        // Replica fetchers: followed partitions fetch from their leaders (stopped before the logs close).
        _replicaFetchers = new ReplicaFetcherManager(ReplicaFetcherOptions.From(_config), _loggerFactory);
        var fetchers = _replicaFetchers;

        // The controller's requests to this broker.
        handlers.Add(new LeaderAndIsrHandler(_config.BrokerId, replicas, fetchers, metadata, _fence,
            async (topic, ct) => TopicManager.LogConfigFor(topics.EffectiveBrokerConfig, await topicConfigs.GetOrReadAsync(topic, ct).ConfigureAwait(false)),
            leadership, _loggerFactory.CreateLogger<LeaderAndIsrHandler>()));
        var groups = _groups;
        handlers.Add(new UpdateMetadataHandler(metadata, _fence, _loggerFactory.CreateLogger<UpdateMetadataHandler>(), removed =>
        {
            foreach (var topic in removed)
            {
                topicConfigs.Remove(topic);
            }
            // Every coordinator forgets the deleted topics' offsets (Kafka's onPartitionsDeleted at UpdateMetadata).
            _ = ForgetOffsetsAsync(groups, removed, groupsLogger);
        }));
        handlers.Add(new StopReplicaHandler(replicas, fetchers, _fence, leadership, _loggerFactory.CreateLogger<StopReplicaHandler>()));
        _channels = new ControllerChannelManager(new ControllerChannelOptions { ControllerId = _config.BrokerId }, _loggerFactory.CreateLogger<ControllerChannelManager>());
        var controllerOptions = new KafkaControllerOptions(_config.UncleanLeaderElectionEnable)
        {
            TopicUncleanLeaderElection = async (topic, ct) =>
                TopicUncleanOverride(await topicConfigs.GetOrReadAsync(topic, ct).ConfigureAwait(false)),
            AutoLeaderRebalance = _config.AutoLeaderRebalanceEnable,
            LeaderImbalanceCheckInterval = TimeSpan.FromSeconds(_config.LeaderImbalanceCheckIntervalSeconds),
            LeaderImbalancePerBrokerPercentage = _config.LeaderImbalancePerBrokerPercentage,
        };
        _controller = new KafkaController(_config.BrokerId, controllerOptions,
            new ZooKeeperControllerStore(zk, _loggerFactory.CreateLogger<ZooKeeperControllerStore>()),
            new ControllerChannel(_channels, listenerConfig.ListenerName),
            _loggerFactory.CreateLogger<KafkaController>());
        handlers.Add(new ControlledShutdownHandler(_controller));
        // The controller's answers to partition leaders (ISR changes) and to admin clients (elections).
        handlers.Add(new AlterPartitionHandler(_controller));
        handlers.Add(new ElectLeadersHandler(_controller, metadata));
        _listener!.Start(new RequestDispatcher(handlers, _loggerFactory.CreateLogger<RequestDispatcher>()));

        var registration = new BrokerRegistration(_config.BrokerId,
            [new Cluster.ZooKeeper.ListenerEndpoint(listenerConfig.ListenerName, listenerConfig.SecurityProtocol, self.Host, self.Port)],
            _config.BrokerRack, new Dictionary<string, FeatureVersionRange>());
        Register(zk, registration);
        var configChanges = new ConfigChangeListener(zk, topicConfigs,
            (topic, overrides) => logs.UpdateTopicConfig(topic, TopicManager.LogConfigFor(topics.EffectiveBrokerConfig, overrides)),
            _loggerFactory.CreateLogger<ConfigChangeListener>());
        configChanges.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        zk.SessionExpired += _controller.OnSessionExpired;
        zk.SessionRenewed += async cancellationToken =>
        {
            Register(zk, registration);
            _controller.Reelect();
            await configChanges.StartAsync(cancellationToken).ConfigureAwait(false);
        };
        _controller.Start();
        _logger.LogInformation("Broker {BrokerId} of cluster {ClusterId} listening on {Address}:{Port}, advertised as {Host}:{AdvertisedPort}, in ZooKeeper mode at {ZooKeeper}",
            _config.BrokerId, clusterId, listenerConfig.Host, _listener.BoundPort, self.Host, self.Port, connect);
    }

    /// <summary>Registers this broker in /brokers/ids; its broker epoch then fences the controller's requests to it.</summary>
    private void Register(ZooKeeperSession zk, BrokerRegistration registration)
    {
        try
        {
            _fence!.BrokerEpoch = zk.Store.RegisterBrokerAsync(registration).GetAwaiter().GetResult();
        }
        catch (BrokerIdInUseException e)
        {
            throw new StartupException($"broker.id {registration.BrokerId} is already registered in ZooKeeper by another broker ({e.Message}); each broker of a cluster needs its own broker.id", e);
        }
    }

    /// <summary>A topic's unclean.leader.election.enable override, or null when it has none (or an unreadable one).</summary>
    private static bool? TopicUncleanOverride(IReadOnlyDictionary<string, string> overrides) =>
        overrides.TryGetValue("unclean.leader.election.enable", out var value) && bool.TryParse(value, out var enabled) ? enabled : null;

    /// <summary>The config overrides of every topic in /config/topics, read at once (the logs are loaded with them).</summary>
    private static Dictionary<string, IReadOnlyDictionary<string, string>> ReadTopicConfigs(ZooKeeperSession zk, TopicConfigCache cache)
    {
        var (names, _) = zk.Client.GetChildrenAsync(ZkPaths.ConfigEntityType(ConfigTypes.Topics)).GetAwaiter().GetResult();
        var read = Task.WhenAll(names.Select(async n => (n, await cache.RefreshAsync(n, CancellationToken.None).ConfigureAwait(false)))).GetAwaiter().GetResult();
        return read.ToDictionary(r => r.n, r => r.Item2, StringComparer.Ordinal);
    }

    /// <summary>The broker's defaults changed: every local log takes its topic's config again over the new defaults.</summary>
    private static void ApplyBrokerDefaults(LogManager logs, TopicConfigCache topicConfigs, BrokerConfig broker)
    {
        foreach (var topic in logs.AllLogs.Select(l => l.TopicPartition.Topic).Distinct())
        {
            logs.UpdateTopicConfig(topic, TopicManager.LogConfigFor(broker, topicConfigs.Get(topic)));
        }
    }

    /// <summary>
    /// FindCoordinator for a cluster without __consumer_offsets: the topic is created through
    /// ZooKeeper and the client, told COORDINATOR_NOT_AVAILABLE meanwhile, asks again (as Kafka).
    /// </summary>
    private static async Task ForgetOffsetsAsync(GroupCoordinator groups, IReadOnlyList<string> topics, ILogger logger)
    {
        try
        {
            var removed = await groups.OnTopicsDeletedAsync(topics).ConfigureAwait(false);
            if (removed > 0)
            {
                logger.LogInformation("Removed {Count} committed offsets of deleted topics {Topics}", removed, string.Join(", ", topics));
            }
        }
        catch (Exception e)
        {
            logger.LogError(e, "Could not remove the committed offsets of deleted topics {Topics}", string.Join(", ", topics));
        }
    }

    private static void CreateOffsetsTopicInBackground(LogGroupStore groupStore, ILogger logger) => _ = Task.Run(async () =>
    {
        try
        {
            await groupStore.EnsureTopicAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogWarning("Could not create {Topic}: {Error}", InternalTopics.ConsumerOffsets, e.Message);
        }
    });

    /// <summary>
    /// Kafka's controlled shutdown: ask the controller to move this broker's leadership away, and
    /// wait while it reports partitions it still leads, up to controlled.shutdown.max.retries
    /// attempts controlled.shutdown.retry.backoff.ms apart.
    /// </summary>
    private async Task ControlledShutdownAsync()
    {
        if (_clusterMetadata is not { } metadata || _fence is null || !_config.ControlledShutdownEnable)
        {
            return;
        }
        for (var attempt = 1; attempt <= Math.Max(1, _config.ControlledShutdownMaxRetries); attempt++)
        {
            try
            {
                if (metadata.FindBroker(metadata.ControllerId) is not { } controller)
                {
                    _logger.LogWarning("Controlled shutdown: no controller known; shutting down without it");
                    return;
                }
                await using var connection = await BrokerConnection.ConnectAsync(controller.Host, controller.Port,
                    new BrokerConnectionOptions { ClientId = $"broker-{_config.BrokerId}", RequestTimeout = TimeSpan.FromSeconds(30) }, CancellationToken.None).ConfigureAwait(false);
                var response = await connection.SendAsync<ControlledShutdownRequest, ControlledShutdownResponse>(
                    new ControlledShutdownRequest { BrokerId = _config.BrokerId, BrokerEpoch = _fence.BrokerEpoch }, 3).ConfigureAwait(false);
                if (response.ErrorCode == 0 && response.RemainingPartitions.Count == 0)
                {
                    _logger.LogInformation("Controlled shutdown succeeded");
                    return;
                }
                _logger.LogWarning("Controlled shutdown attempt {Attempt}: {Error}, {Remaining} partitions still led here",
                    attempt, ((ErrorCode)response.ErrorCode).KafkaName(), response.RemainingPartitions.Count);
            }
            catch (BrokerConnectionException e)
            {
                _logger.LogWarning("Controlled shutdown attempt {Attempt} failed: {Error}", attempt, e.Message);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(_config.ControlledShutdownRetryBackoffMs)).ConfigureAwait(false);
        }
        _logger.LogWarning("Controlled shutdown did not complete; shutting down anyway");
    }

    private async Task StopClusterAsync()
    {
        // Replica fetchers stop first: nothing is appended to a log once shutdown closes it.
        if (_replicaFetchers is not null)
        {
            await _replicaFetchers.DisposeAsync().ConfigureAwait(false);
        }
        // The ISR expiry check and the AlterPartition sender stop with the fetchers.
        _isrShrinker?.Dispose();
        if (_alterPartitions is not null)
        {
            await _alterPartitions.DisposeAsync().ConfigureAwait(false);
        }
        if (_controller is not null)
        {
            await _controller.DisposeAsync().ConfigureAwait(false);
        }
        if (_channels is not null)
        {
            await _channels.DisposeAsync().ConfigureAwait(false);
        }
        if (_zooKeeper is not null)
        {
            // Closing the session removes /brokers/ids/<id> at once: the controller sees this broker go.
            await _zooKeeper.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The coordinators hear when this broker starts or stops leading their internal topic's partitions.</summary>
    private sealed class CoordinatorLeadership(GroupCoordinator groups) : ILeadershipListener
    {
        public void OnBecameLeader(TopicPartition partition, int leaderEpoch)
        {
            if (partition.Topic == InternalTopics.ConsumerOffsets)
            {
                groups.OnElection(partition.Partition, leaderEpoch);
            }
        }

        public void OnResigned(TopicPartition partition, int? leaderEpoch)
        {
            if (partition.Topic == InternalTopics.ConsumerOffsets)
            {
                _ = groups.OnResignation(partition.Partition, leaderEpoch);
            }
        }
    }
}
