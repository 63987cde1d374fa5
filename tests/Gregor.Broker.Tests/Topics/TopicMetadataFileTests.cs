using Gregor.Broker.Cluster;
using Gregor.Broker.Topics;
using Gregor.Protocol.Wire;

namespace Gregor.Broker.Tests.Topics;

/// <summary>The topic metadata snapshot plus its appended changes read back as the topics last written.</summary>
public sealed class TopicMetadataFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gregor-topic-metadata-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static TopicRecord Topic(string name, int partitions = 1) =>
        new(name, Uuid.NewRandom(), partitions, 1, new Dictionary<string, string> { ["retention.ms"] = "1000" });

    [Fact]
    public void Changes_after_the_snapshot_are_applied_in_order()
    {
        var a = Topic("a");
        var b = Topic("b");
        TopicMetadataFile.Write(_dir, [a, b]);
        var c = Topic("c", 3);
        TopicMetadataFile.AppendChange(_dir, "c", c);
        TopicMetadataFile.AppendChange(_dir, "a", null);
        TopicMetadataFile.AppendChange(_dir, "b", b with { Partitions = 4 });

        var read = TopicMetadataFile.Read(_dir).OrderBy(t => t.Name, StringComparer.Ordinal).ToList();

        Assert.Equal(["b", "c"], read.Select(t => t.Name));
        Assert.Equal(4, read[0].Partitions);
        Assert.Equal(b.TopicId, read[0].TopicId);
        Assert.Equal(c.TopicId, read[1].TopicId);
        Assert.Equal("1000", read[1].Configs["retention.ms"]);
    }

    [Fact]
    public void A_torn_last_change_is_ignored_and_a_snapshot_replaces_the_changes()
    {
        TopicMetadataFile.AppendChange(_dir, "a", Topic("a"));
        File.AppendAllText(Path.Combine(_dir, TopicMetadataFile.ChangesFileName), "{\"name\":\"b\",\"topi");

        Assert.Equal(["a"], TopicMetadataFile.Read(_dir).Select(t => t.Name));

        TopicMetadataFile.Write(_dir, [Topic("z")]);
        Assert.False(File.Exists(Path.Combine(_dir, TopicMetadataFile.ChangesFileName)));
        Assert.Equal(["z"], TopicMetadataFile.Read(_dir).Select(t => t.Name));
    }
}
