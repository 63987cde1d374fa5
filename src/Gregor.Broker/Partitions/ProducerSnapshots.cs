using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Partitions;

/// <summary>
/// Writes the idempotent-producer state of every non-empty partition at its log end (at clean
/// shutdown), so a restart reads a snapshot instead of rescanning the log.
/// </summary>
public static class ProducerSnapshots
{
    public static async Task WriteAllAsync(ReplicaManager replicas, ILogger logger)
    {
        foreach (var partition in replicas.Partitions)
        {
            if (partition.Log.LogEndOffset == 0)
            {
                continue;
            }
            await partition.ProducerLock.WaitAsync().ConfigureAwait(false);
            try
            {
                partition.Producers.WriteSnapshot(partition.Log.LogEndOffset);
            }
            catch (IOException e)
            {
                logger.LogWarning("Could not write the producer snapshot of {Partition}: {Error}", partition.TopicPartition, e.Message);
            }
            finally
            {
                partition.ProducerLock.Release();
            }
        }
    }
}
