using Gregor.Protocol.Messages;
using Gregor.Protocol.Tests.Support;
using Gregor.Protocol.Wire;

namespace Gregor.Protocol.Tests.Messages;

/// <summary>
/// Every generated request and response, at every version it covers, filled with random values
/// (several seeds each): writing, reading back and writing again gives the same bytes, the reader
/// consumes exactly what was written, and every field present in the version keeps its value.
/// Random non-default values also put tagged fields on the wire in flexible versions.
/// </summary>
public sealed class RoundTripTests
{
    private const int SeedsPerVersion = 4;

    public static TheoryData<string> MessageNames => MessageCatalog.Names();

    [Fact]
    public void EveryDefinitionHasAGeneratedType()
    {
        Assert.Equal(ApiMessages.All.Count * 2, MessageCatalog.All.Count);
        foreach (var api in ApiMessages.All)
        {
            var request = MessageCatalog.Get(api.Name + "Request");
            Assert.Equal((short)api.Key, request.ApiKey);
            Assert.Equal(api.MinVersion, request.LowestVersion);
            Assert.Equal(api.MaxVersion, request.HighestVersion);
            Assert.Equal((short)api.Key, MessageCatalog.Get(api.Name + "Response").ApiKey);
        }
    }

    [Theory]
    [MemberData(nameof(MessageNames))]
    public void RandomMessagesRoundTripAtEveryVersion(string messageName)
    {
        var type = MessageCatalog.Get(messageName);
        var definition = Definitions.Get(messageName);
        foreach (var version in type.Versions)
        {
            for (var seed = 0; seed < SeedsPerVersion; seed++)
            {
                var context = $"{messageName} v{version} seed {seed}";
                var written = new RandomMessageFiller(StableSeed(messageName, version, seed)).Fill(type.Type);
                var bytes = MessageCatalog.Write(written, version);
                var (read, consumed) = type.Read(bytes, version);
                Assert.True(consumed == bytes.Length, $"{context}: read {consumed} of {bytes.Length} bytes");
                var again = MessageCatalog.Write(read, version);
                Assert.True(bytes.AsSpan().SequenceEqual(again), $"{context}: second write differs\n{Hex.Format(bytes)}\n{Hex.Format(again)}");
                FieldValueComparer.AssertSurvived(definition, written, read, version);
            }
        }
    }

    /// <summary>A spot check that does not depend on the comparer: a topic id in Metadata v12 survives.</summary>
    [Fact]
    public void MetadataRequestV12TopicIdSurvives()
    {
        var topicId = new Uuid(0x1122334455667788, unchecked((long)0x99aabbccddeeff00));
        var request = new MetadataRequest { Topics = [new() { TopicId = topicId, Name = null }] };
        var bytes = MessageCatalog.Write(request, 12);
        var reader = new KafkaReader(bytes);
        var read = MetadataRequest.Read(ref reader, 12);
        Assert.Equal(topicId, read.Topics![0].TopicId);
        Assert.Null(read.Topics[0].Name);
    }

    /// <summary>A seed that is the same in every process (string.GetHashCode is randomized per process).</summary>
    private static int StableSeed(string name, short version, int seed)
    {
        var hash = 17;
        foreach (var c in name)
        {
            hash = unchecked((hash * 31) + c);
        }
        return unchecked((hash * 31 * 31) + (version * 31) + seed);
    }
}
