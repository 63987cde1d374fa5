using HdrHistogram;

namespace Gregor.Bench.Compare.Clients;

/// <summary>
/// One system under test driven through its fastest client. Every method returns only when the
/// work is done and acknowledged (produce) or received (consume), so the caller's clock and the
/// server's CPU counter cover exactly the work.
/// </summary>
public interface ISystemClient : IAsyncDisposable
{
    /// <summary>Row label, e.g. "Redis 7.0 (AOF everysec)".</summary>
    string Name { get; }

    /// <summary>What an acknowledgement means for durability, printed beside the figures.</summary>
    string Durability { get; }

    /// <summary>The server process whose CPU and memory are measured.</summary>
    ServerProcess Server { get; }

    /// <summary>Creates an empty topic / stream with this many partitions (streams have one).</summary>
    Task CreateAsync(string topic, int partitions);

    /// <summary>
    /// Removes a topic / stream and its data once a repetition is measured, so that every
    /// repetition starts from the same state and earlier data (dirty pages, memory) does not weigh
    /// on later runs.
    /// </summary>
    Task DeleteAsync(string topic);

    /// <summary>
    /// Produces <paramref name="count"/> records of <paramref name="size"/> bytes from one producer,
    /// round-robin over <paramref name="partitions"/> partitions where the system has partitions.
    /// Returns the time spent creating the client and checking completeness afterwards, which the
    /// caller leaves out of the throughput (the other systems' connections are made beforehand).
    /// </summary>
    Task<TimeSpan> ProduceAsync(string topic, long count, int size, bool acksAll, int partitions);

    /// <summary>
    /// Reads <paramref name="count"/> records from the start with <paramref name="members"/> consumers
    /// sharing the work. Returns the set-up time before the first record arrived (connecting, joining
    /// the group), which the caller leaves out of the throughput.
    /// </summary>
    Task<TimeSpan> ConsumeAsync(string topic, long count, int members);

    /// <summary>
    /// Sends <paramref name="rate"/> records/s for <paramref name="duration"/> while one consumer
    /// reads them; records each record's send-to-receive time in microseconds.
    /// </summary>
    Task LatencyAsync(string topic, int rate, TimeSpan duration, LongHistogram microseconds);

    /// <summary>Creates <paramref name="partitions"/> partitions (streams) and opens <paramref name="connections"/> idle TCP connections, kept until disposed.</summary>
    Task<IAsyncDisposable> IdleAsync(int partitions, int connections);
}
