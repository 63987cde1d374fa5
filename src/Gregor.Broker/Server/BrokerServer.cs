using System.Net.Sockets;
using Gregor.Broker.Admin;
using Gregor.Broker.Cluster;
using Gregor.Broker.Config;
using Gregor.Broker.Fetching;
using Gregor.Broker.Groups;
using Gregor.Broker.Groups.Store;
using Gregor.Broker.Handlers;
using Gregor.Broker.Network;
using Gregor.Broker.Partitions;
using Gregor.Broker.Producers;
using Gregor.Broker.Requests;
using Gregor.Broker.Topics;
using Gregor.Storage;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Server;

/// <summary>
/// One broker: composes storage, the topic and partition layers, the request handlers and the
/// listener, in that order. <see cref="Start"/> loads every partition (recovering after a crash)
/// before it binds the port, and throws when something cannot start; <see cref="DisposeAsync"/>
/// stops accepting, lets connections end, then shuts storage down cleanly (flush, checkpoints,
/// clean-shutdown marker last).
/// </summary>
public sealed partial class BrokerServer : IAsyncDisposable
{
    private readonly BrokerConfig _config;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private KafkaListener? _listener;
    private LogManager? _logs;
    private GroupCoordinator? _groups;
    private Task? _groupsLoad;

    public BrokerServer(BrokerConfig config, ILoggerFactory loggerFactory)
    {
        _config = config;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<BrokerServer>();
    }

    public int BoundPort => _listener?.BoundPort ?? throw new InvalidOperationException("not started");

    public void Start()
    {
        if (_config.ZooKeeperConnect is { } zooKeeper)
        {
            StartInCluster(zooKeeper);
            return;
        }
        var clusterId = ClusterIdentity.LoadOrCreate(_config.LogDirs, _config.BrokerId);
        var records = LocalClusterStore.ReadRecords(_config);
        // Topic defaults include the dynamic broker configs (AlterConfigs on BROKER resources).
        var dynamicConfig = DynamicBrokerConfig.Load(_config);
        var effective = dynamicConfig.Current;
        LogEffectiveConfig(effective);
        var topicConfigs = records.ToDictionary(r => r.Name, r => TopicManager.LogConfigFor(effective, r.Configs), StringComparer.Ordinal);
        var openFiles = OpenFilesLimit.RaiseSoftToHard(_logger);
        var storage = StorageOptions.From(effective, clusterId) with { MaxOpenDescriptors = openFiles is { } limit ? OpenFilesLimit.ForLogs(limit) : long.MaxValue };
        _logs = new LogManager(storage, topic => topicConfigs.GetValueOrDefault(topic), _loggerFactory);
        try
        {
            _logs.Startup();
        }
        catch (LogDirInUseException e)
        {
            throw new StartupException(e.Message, e);
        }

        var (listenerConfig, self) = BindListener();
        var metadata = new MetadataCache(clusterId, self);
        var replicas = new ReplicaManager(_logs, _config.BrokerId);
        var store = new LocalClusterStore(effective, _logs, metadata, replicas, records, _loggerFactory.CreateLogger<LocalClusterStore>());
        store.Load();
        var topics = new TopicManager(effective, store, metadata, new PartitionBudget(_logs), _loggerFactory.CreateLogger<TopicManager>());

        var groupStore = new LogGroupStore(topics, replicas, _config, _loggerFactory.CreateLogger<LogGroupStore>());
        _groups = new GroupCoordinator(GroupOptions(topics), groupStore, _loggerFactory.CreateLogger<GroupCoordinator>(),
            leaderOf: OffsetsTopicLeaders.From(metadata, () => groupStore.EnsureTopicAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult()));
        // A single node leads every __consumer_offsets partition: all are elected and loaded now.
        _groupsLoad = _groups.StartAsync();
        var handlers = ClientHandlers(metadata, topics, replicas, ProducerIdManager.ForLogDir(_config.LogDirs[0]), dynamicConfig, self);
        _listener!.Start(new RequestDispatcher(handlers, _loggerFactory.CreateLogger<RequestDispatcher>()));
        _logger.LogInformation("Broker {BrokerId} of cluster {ClusterId} listening on {Address}:{Port}, advertised as {Host}:{AdvertisedPort}",
            _config.BrokerId, clusterId, listenerConfig.Host, _listener!.BoundPort, self.Host, self.Port);
    }

    /// <summary>
    /// The handlers of the APIs clients use, the same in both modes: what differs is behind the
    /// metadata cache, the cluster store under <paramref name="topics"/> and the producer-id blocks.
    /// The group coordinator is made before.
    /// </summary>
    private List<IRequestHandler> ClientHandlers(IMetadataCache metadata, TopicManager topics, ReplicaManager replicas,
        ProducerIdManager producerIds, DynamicBrokerConfig dynamicConfig, BrokerEndpoint self, IIsrChangeSender? isrChanges = null)
    {
        var groups = _groups!;
        var handlers = new List<IRequestHandler>();
        handlers.Add(new ApiVersionsHandler(handlers));
        handlers.Add(new MetadataHandler(metadata, topics));
        handlers.Add(new ProduceHandler(replicas, metadata));
        handlers.Add(new FetchHandler(replicas, metadata, new FetchSessionCache(), _loggerFactory.CreateLogger<FetchHandler>(), isrChanges));
        handlers.Add(new ListOffsetsHandler(replicas, metadata));
        handlers.Add(new OffsetForLeaderEpochHandler(replicas, metadata));
        handlers.Add(new InitProducerIdHandler(producerIds));
        handlers.Add(new CreateTopicsHandler(topics, _config));
        handlers.Add(new DeleteTopicsHandler(topics, metadata, _config, groups));
        handlers.AddRange(GroupHandlers.Create(groups, metadata, self));
        var configAdmin = new ConfigAdmin(topics, dynamicConfig, _config.BrokerId, _loggerFactory.CreateLogger<ConfigAdmin>());
        handlers.Add(new CreatePartitionsHandler(topics, metadata));
        handlers.Add(new DescribeConfigsHandler(topics, configAdmin));
        handlers.Add(new AlterConfigsHandler(configAdmin));
        handlers.Add(new IncrementalAlterConfigsHandler(configAdmin));
        handlers.Add(new DeleteRecordsHandler(replicas));
        handlers.Add(new DescribeClusterHandler(metadata));
        handlers.Add(new DescribeLogDirsHandler(_logs!));
        return handlers;
    }

    /// <summary>
    /// Binds the first listener (a busy port stops start-up: the log dirs, loaded by then, are shut
    /// down cleanly first) and gives this broker's advertised endpoint.
    /// </summary>
    private (ListenerEndpoint Listener, BrokerEndpoint Self) BindListener()
    {
        var listenerConfig = _config.EffectiveListeners[0];
        _listener = new KafkaListener(new ListenerOptions
        {
            Address = BindAddress.Resolve(listenerConfig.Host),
            Port = listenerConfig.Port,
            MaxRequestBytes = _config.SocketRequestMaxBytes,
            MaxConnections = _config.MaxConnections,
            QueuedMaxRequestBytes = _config.QueuedMaxRequestBytes,
            ConnectionsMaxIdleMs = _config.ConnectionsMaxIdleMs,
        }, _loggerFactory);
        try
        {
            _listener.Bind();
        }
        catch (SocketException e)
        {
            // The log dirs are fully loaded by now: shut them down cleanly, so that the next start
            // needs no recovery.
            _logs!.Shutdown();
            _logs = null;
            throw new StartupException($"cannot listen on {listenerConfig}: {e.Message}", e);
        }
        var advertised = _config.EffectiveAdvertisedListeners.FirstOrDefault(l => l.ListenerName == listenerConfig.ListenerName)
            ?? _config.EffectiveAdvertisedListeners[0];
        // Port 0 in the listener means "any free port": advertise the port actually bound.
        var self = new BrokerEndpoint(_config.BrokerId, advertised.Host, advertised.Port == 0 ? _listener.BoundPort : advertised.Port, _config.BrokerRack);
        return (listenerConfig, self);
    }

    /// <summary>
    /// The coordinator places groups over the partitions __consumer_offsets has, as Kafka's does:
    /// an existing topic with another count than offsets.topic.num.partitions (made by an older
    /// broker, or under another setting) is reported and used as it is, since its groups' state sits
    /// where that count put it.
    /// </summary>
    private GroupCoordinatorOptions GroupOptions(TopicManager topics)
    {
        var options = GroupCoordinatorOptions.From(_config);
        var existing = topics.Find(InternalTopics.ConsumerOffsets);
        if (existing is null || existing.Partitions == options.OffsetsTopicNumPartitions)
        {
            return options;
        }
        _logger.LogError("{Topic} has {Partitions} partitions but offsets.topic.num.partitions is {Configured}: groups are placed over the partitions the topic has, where their stored state is",
            InternalTopics.ConsumerOffsets, existing.Partitions, options.OffsetsTopicNumPartitions);
        return options with { OffsetsTopicNumPartitions = existing.Partitions };
    }

    /// <summary>
    /// The configuration in force, dynamic broker configs included, one key per line as Kafka
    /// prints its KafkaConfig (the console log is single-line, so each line is its own event).
    /// </summary>
    private void LogEffectiveConfig(BrokerConfig effective)
    {
        foreach (var line in effective.FormatEffectiveValues().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            _logger.LogInformation("{Line}", line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ControlledShutdownAsync().ConfigureAwait(false);
        if (_listener is not null)
        {
            await _listener.DisposeAsync().ConfigureAwait(false);
        }
        await StopClusterAsync().ConfigureAwait(false);
        if (_groups is not null)
        {
            await _groups.DisposeAsync().ConfigureAwait(false);
            await (_groupsLoad ?? Task.CompletedTask).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _logs?.Shutdown();
        _logger.LogInformation("Broker {BrokerId} stopped", _config.BrokerId);
    }
}
