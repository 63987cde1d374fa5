using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.Bench.Cluster;
using Gregor.ZooKeeper;

// Times a cluster of 3 brokers on one ZooKeeper, all started here on free loopback ports with
// temporary data (removed at the end):
//   create   : for each partition count, on a fresh cluster, one CreateTopics request (one topic,
//              that many partitions, replication factor 1) through broker 1; reports when it was
//              answered, when Metadata (asked of every broker in turn by librdkafka) first shows
//              every partition with a leader, and when a record produced to every partition
//              (acks=1, one producer) has been acknowledged by each partition's leader.
//   failover : on the cluster holding the largest count, kill -9 of the controller; reports the
//              detection (kill → a new /controller znode, bounded by the session timeout), the
//              new controller's own figures from its log line ("read … in X ms; ready in Y ms"),
//              the kill → that line, and a CreateTopics through a broker other than the new
//              controller until a record produced to each of its partitions is acknowledged.
// Usage: dotnet run -c Release --project bench/Gregor.Bench.Cluster [-- COUNT...]
// (default 1000 10000). Options (env): SESSION_TIMEOUT_MS (default 6000); BROKER_OVERRIDES, more
// KEY=VALUE broker settings separated by spaces (e.g. zookeeper.max.in.flight.requests=100).
// Build src/Gregor in Release first.

var counts = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [1000, 10000];
var sessionTimeoutMs = int.Parse(Environment.GetEnvironmentVariable("SESSION_TIMEOUT_MS") ?? "6000", CultureInfo.InvariantCulture);
var overrides = (Environment.GetEnvironmentVariable("BROKER_OVERRIDES") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
var root = FindRepositoryRoot();
var gregorDll = Path.Combine(root, "src", "Gregor", "bin", "Release", "net10.0", "gregor.dll");
var serverProperties = Path.Combine(root, "config", "server.properties");
if (!File.Exists(gregorDll))
{
    Console.Error.WriteLine($"{gregorDll} not found: build src/Gregor in Release first");
    return 1;
}
Console.WriteLine($"3 brokers, 1 ZooKeeper, zookeeper.session.timeout.ms={sessionTimeoutMs}, replication factor 1{string.Concat(overrides.Select(o => ", " + o))}");
Console.WriteLine();
Console.WriteLine("| partitions | CreateTopics answered (s) | every partition led in Metadata (s) | a record acknowledged by every partition (s) |");
Console.WriteLine("| ---: | ---: | ---: | ---: |");
for (var i = 0; i < counts.Length; i++)
{
    var cluster = await LocalCluster.StartAsync(gregorDll, serverProperties, 3, sessionTimeoutMs, overrides);
    try
    {
        var created = await CreateAndWriteAsync(cluster, cluster.Brokers[1], $"bench-{counts[i]}", counts[i]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {counts[i]:N0} | {created.Answered.TotalSeconds:F2} | {created.Led.TotalSeconds:F2} | {created.Written.TotalSeconds:F2} |"));
        if (i == counts.Length - 1)
        {
            Console.WriteLine();
            await FailoverAsync(cluster, counts[i]);
        }
    }
    finally
    {
        await cluster.DisposeAsync();
    }
}
return 0;

async Task<(TimeSpan Answered, TimeSpan Led, TimeSpan Written)> CreateAndWriteAsync(LocalCluster cluster, BrokerProcess through, string topic, int partitions)
{
    using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = $"127.0.0.1:{through.Port}", SocketTimeoutMs = 300_000, TopicMetadataRefreshIntervalMs = 1000 }).Build();
    using var metadata = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
    using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig
    {
        BootstrapServers = cluster.BootstrapServers,
        Acks = Acks.Leader,
        LingerMs = 5,
        MessageTimeoutMs = 300_000,
        EnableIdempotence = false,
        TopicMetadataRefreshIntervalMs = 1000,
    }).Build();
    // Connected before the clock starts.
    admin.GetMetadata(TimeSpan.FromSeconds(60));
    metadata.GetMetadata(TimeSpan.FromSeconds(60));
    var options = new CreateTopicsOptions { RequestTimeout = TimeSpan.FromMinutes(5), OperationTimeout = TimeSpan.FromMinutes(5) };
    var clock = Stopwatch.StartNew();
    try
    {
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }], options);
    }
    catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code == ErrorCode.RequestTimedOut))
    {
        // As Kafka's: the topic is in ZooKeeper and the controller carries on; only the wait for it ended.
        Console.Error.WriteLine($"{topic}: CreateTopics answered REQUEST_TIMED_OUT after {clock.Elapsed.TotalSeconds:F1} s; waiting for the partitions");
    }
    var answered = clock.Elapsed;
    while (true)
    {
        var t = metadata.GetMetadata(topic, TimeSpan.FromSeconds(60)).Topics.Single();
        if (t.Error.Code == ErrorCode.NoError && t.Partitions.Count == partitions && t.Partitions.All(p => p.Leader >= 0 && p.Error.Code == ErrorCode.NoError))
        {
            break;
        }
        if (clock.Elapsed > TimeSpan.FromMinutes(5))
        {
            throw new TimeoutException($"{topic}: not every partition has a leader after 5 minutes");
        }
        await Task.Delay(20);
    }
    var led = clock.Elapsed;
    var value = new byte[100];
    var deliveries = Enumerable.Range(0, partitions)
        .Select(p => producer.ProduceAsync(new TopicPartition(topic, p), new Message<Null, byte[]> { Value = value }))
        .ToList();
    await Task.WhenAll(deliveries);
    return (answered, led, clock.Elapsed);
}

async Task FailoverAsync(LocalCluster cluster, int partitions)
{
    await using var zk = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = cluster.ZooKeeperConnect });
    var (controllerId, _) = await ReadControllerAsync(zk) ?? throw new InvalidOperationException("no /controller");
    var epochBefore = await ReadEpochAsync(zk);
    // The line the new controller prints once it has taken over the term after the current one.
    var ready = new Regex($@"Controller (\d+) \(epoch {epochBefore + 1}\) read (\d+) live brokers, (\d+) topics and (\d+) partitions in (\d+) ms; ready in (\d+) ms");
    var survivors = cluster.Brokers.Values.Where(b => b.Id != controllerId).ToList();
    var readyLines = survivors.Select(b => b.WaitForLineAsync(ready, TimeSpan.FromMinutes(5))).ToList();

    var clock = Stopwatch.StartNew();
    cluster.Brokers[controllerId].Kill();
    int newController;
    while (true)
    {
        if (await ReadControllerAsync(zk) is { } c && c.BrokerId != controllerId)
        {
            newController = c.BrokerId;
            break;
        }
        await Task.Delay(10);
    }
    var detected = clock.Elapsed;
    var line = await await Task.WhenAny(readyLines);
    var readyAt = clock.Elapsed;
    var epochAfter = await ReadEpochAsync(zk);
    var other = survivors.First(b => b.Id != newController);
    // A client sends CreateTopics to the controller its Metadata names; wait until the broker
    // asked names the new one (its UpdateMetadata arrived), as a client retrying would.
    using (var describe = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = $"127.0.0.1:{other.Port}" }).Build())
    {
        while ((await describe.DescribeClusterAsync()).Controller?.Id != newController)
        {
            await Task.Delay(10);
        }
    }
    var known = clock.Elapsed;
    var created = await CreateAndWriteAsync(cluster, other, "after-failover", 6);
    var writable = clock.Elapsed;

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
        Controller failover with {partitions:N0} partitions (kill -9 of controller {controllerId}; epoch {epochBefore} → {epochAfter}; new controller {newController}):

        | step | time |
        | --- | ---: |
        | detection: kill → a new /controller (polled every 10 ms) | {detected.TotalSeconds:F2} s |
        | takeover, the new controller's figure: state read ({line.Groups[2].Value} brokers, {line.Groups[3].Value} topics, {line.Groups[4].Value} partitions) | {line.Groups[5].Value} ms |
        | takeover, the new controller's figure: election → ready (read, LeaderAndIsr/UpdateMetadata sent, offline partitions marked) | {line.Groups[6].Value} ms |
        | kill → the "ready" log line seen here | {readyAt.TotalSeconds:F2} s |
        | kill → broker {other.Id} names controller {newController} (DescribeCluster, polled every 10 ms) | {known.TotalSeconds:F2} s |
        | then CreateTopics (6 partitions) through broker {other.Id}: answered / led / every partition written | {created.Answered.TotalSeconds:F2} / {created.Led.TotalSeconds:F2} / {created.Written.TotalSeconds:F2} s |
        | kill → the new topic written | {writable.TotalSeconds:F2} s |
        """));

    // The same reads without the controller: this process's own ZooKeeper client reading every
    // partition's state node at once, by in-flight bound, to tell ZooKeeper's share from the controller's.
    var paths = Enumerable.Range(0, partitions).Select(p => $"/brokers/topics/bench-{partitions}/partitions/{p}/state").ToList();
    Console.WriteLine();
    Console.WriteLine($"The {partitions:N0} partition state nodes read at once by the benchmark's own ZooKeeper client (getData each):");
    Console.WriteLine();
    Console.WriteLine("| in flight | read (ms) |");
    Console.WriteLine("| ---: | ---: |");
    foreach (var inFlight in new[] { 10, 100, 1000 })
    {
        await using var reader = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = cluster.ZooKeeperConnect, MaxInFlightRequests = inFlight });
        var read = Stopwatch.StartNew();
        await Task.WhenAll(paths.Select(path => reader.GetDataAsync(path)));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {inFlight} | {read.ElapsedMilliseconds} |"));
    }
}

static async Task<(int BrokerId, long Timestamp)?> ReadControllerAsync(ZooKeeperClient zk)
{
    try
    {
        var (data, _) = await zk.GetDataAsync("/controller");
        using var json = JsonDocument.Parse(data);
        return (json.RootElement.GetProperty("brokerid").GetInt32(), long.Parse(json.RootElement.GetProperty("timestamp").GetString() ?? "0", CultureInfo.InvariantCulture));
    }
    catch (ZooKeeperException e) when (e.Code == ZkErrorCode.NoNode)
    {
        return null;
    }
}

static async Task<int> ReadEpochAsync(ZooKeeperClient zk)
{
    var (data, _) = await zk.GetDataAsync("/controller_epoch");
    return int.Parse(System.Text.Encoding.ASCII.GetString(data), CultureInfo.InvariantCulture);
}

static string FindRepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Gregor.slnx")))
        {
            return dir.FullName;
        }
    }
    throw new InvalidOperationException("Gregor.slnx not found above " + AppContext.BaseDirectory);
}
