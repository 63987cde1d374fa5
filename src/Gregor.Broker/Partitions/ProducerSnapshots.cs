using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Partitions;

/// <summary>Writes the idempotent-producer state of every partition that has any, so a restart need not rescan the log.</summary>
public static class ProducerSnapshots
{
    public static async Task WriteAllAsync(ReplicaManager replicas, ILogger logger)
    {
        foreach (var partition in replicas.Partitions)
        {
            if (partition.Producers.ProducerCount == 0)
            {
                continue;
            }
            await partition.ProducerLock.WaitAsync().ConfigureAwait(false);
            try
            {
                partition.Producers.WriteSnapshot();
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
