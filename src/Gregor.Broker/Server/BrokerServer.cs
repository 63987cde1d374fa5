using Gregor.Broker.Cluster;
using Gregor.Broker.Groups;
using Gregor.Broker.Groups.Store;
using Gregor.Broker.Handlers;
using Gregor.Broker.Network;
using Gregor.Broker.Requests;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Server;

/// <summary>
/// One broker: composes the metadata store, the request handlers and the listener.
/// Start binds the port (throwing when it cannot); DisposeAsync stops accepting, lets the
/// connections end, and closes storage.
/// </summary>
public sealed class BrokerServer : IAsyncDisposable
{
    private readonly BrokerServerOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly GroupCoordinatorOptions _groupOptions;
    private KafkaListener? _listener;
    private Task? _groupsLoad;

    public BrokerServer(BrokerServerOptions options, ILoggerFactory loggerFactory, GroupCoordinatorOptions? groupOptions = null)
    {
        _options = options;
        _groupOptions = groupOptions ?? new GroupCoordinatorOptions();
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<BrokerServer>();
    }

    public int BoundPort => _listener?.BoundPort ?? throw new InvalidOperationException("not started");

    public LocalMetadataStore? Metadata { get; private set; }

    public GroupCoordinator? Groups { get; private set; }

    public void Start()
    {
        var clusterId = ClusterIdentity.LoadOrCreate(_options.LogDirs, _options.BrokerId);
        _listener = new KafkaListener(_options.Listener, _loggerFactory);
        _listener.Bind();
        Metadata = new LocalMetadataStore(clusterId, _options.AdvertisedEndpoint(_listener.BoundPort));
        var handlers = new List<IRequestHandler>();
        handlers.Add(new ApiVersionsHandler(handlers));
        handlers.Add(new MetadataHandler(Metadata));
        // Group state lives in memory until the store is backed by __consumer_offsets.
        Groups = new GroupCoordinator(_groupOptions, new InMemoryGroupStore(), _loggerFactory.CreateLogger<GroupCoordinator>());
        _groupsLoad = Groups.StartAsync();
        handlers.AddRange(GroupHandlers.Create(Groups, Metadata));
        _listener.Start(new RequestDispatcher(handlers, _loggerFactory.CreateLogger<RequestDispatcher>()));
        _logger.LogInformation("Broker {BrokerId} of cluster {ClusterId} listening on {Address}:{Port}, advertised as {Host}:{AdvertisedPort}",
            _options.BrokerId, clusterId, _options.Listener.Address, _listener.BoundPort, _options.AdvertisedHost, Metadata.Brokers[0].Port);
    }

    public async ValueTask DisposeAsync()
    {
        if (_listener is not null)
        {
            await _listener.DisposeAsync().ConfigureAwait(false);
        }
        if (Groups is not null)
        {
            await Groups.DisposeAsync().ConfigureAwait(false);
            await (_groupsLoad ?? Task.CompletedTask).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _logger.LogInformation("Broker {BrokerId} stopped", _options.BrokerId);
    }
}
