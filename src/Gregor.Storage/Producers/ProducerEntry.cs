namespace Gregor.Storage.Producers;

/// <summary>
/// What a partition knows of one producer: its current epoch and its last
/// <see cref="MaxCachedBatches"/> batches, oldest first (Kafka keeps five, matching the most
/// requests a producer may have in flight, so any retry of an in-flight batch is recognised).
/// </summary>
public sealed class ProducerEntry(long producerId, short epoch)
{
    public const int MaxCachedBatches = 5;

    private readonly Queue<ProducerBatch> _batches = new(MaxCachedBatches);

    public long ProducerId { get; } = producerId;

    public short Epoch { get; private set; } = epoch;

    public IReadOnlyCollection<ProducerBatch> Batches => _batches;

    /// <summary>The last sequence number appended in the current epoch, or -1.</summary>
    public int LastSequence => _batches.Count == 0 ? -1 : _batches.Last().LastSequence;

    public ProducerBatch? FindDuplicate(short epoch, int firstSequence, int lastSequence)
    {
        if (epoch != Epoch)
        {
            return null;
        }
        foreach (var batch in _batches)
        {
            if (batch.FirstSequence == firstSequence && batch.LastSequence == lastSequence)
            {
                return batch;
            }
        }
        return null;
    }

    /// <summary>Records an appended batch; a new epoch forgets the batches of the old one.</summary>
    public void Add(short epoch, ProducerBatch batch)
    {
        if (epoch != Epoch)
        {
            Epoch = epoch;
            _batches.Clear();
        }
        if (_batches.Count == MaxCachedBatches)
        {
            _batches.Dequeue();
        }
        _batches.Enqueue(batch);
    }
}
