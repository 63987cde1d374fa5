using Gregor.Protocol.Wire;
using Gregor.Storage.Checkpoints;

namespace Gregor.Storage.Tests.Log;

/// <summary>
/// A log created with a topic id has its partition.metadata at once (renamed into place whole),
/// its fsync done in the background; deleting the log before that flush is harmless, and the
/// file survives a clean restart.
/// </summary>
public sealed class PartitionMetadataTests
{
    [Fact]
    public void A_new_log_names_its_topic_id_at_once_and_after_a_restart()
    {
        using var f = new LogFixture();
        var ids = Enumerable.Range(0, 50).Select(_ => Uuid.NewRandom()).ToList();
        var dirs = ids.Select((id, p) => f.Manager.GetOrCreateLog(new TopicPartition("meta", p), id).Directory).ToList();
        Assert.All(ids.Zip(dirs), x => Assert.Equal(x.First.ToString(), PartitionMetadataFile.ReadTopicId(x.Second)));
        f.Manager.DeleteLog(new TopicPartition("meta", 0));

        f.Restart();

        Assert.False(Directory.Exists(dirs[0]));
        Assert.All(ids.Zip(dirs).Skip(1), x => Assert.Equal(x.First.ToString(), PartitionMetadataFile.ReadTopicId(x.Second)));
        Assert.Empty(Directory.GetFiles(dirs[1], "*.tmp"));
    }
}
