using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;
using Xunit.Abstractions;

namespace Gregor.EndToEnd.Tests.Foundation;

/// <summary>
/// What the broker allocates only for the length of a request does not pile up in its resident
/// set. The runtime sizes the first GC generation's budget from the L3 cache, and a virtual CPU
/// may report hundreds of MB of it: without a cap, a stream of requests grew the broker by about
/// that much before its first collection, and the memory stayed committed. Here one client asks
/// for the metadata of a topic with many partitions over and over, a few hundred MB of answers
/// built and dropped, and the broker's VmRSS afterwards is within 48 MB of where it was before.
/// </summary>
public sealed class ShortLivedMemoryTests(ITestOutputHelper output)
{
    private const long MiB = 1024 * 1024;
    private const int Partitions = 1000;
    private const long AnsweredBytes = 256 * MiB;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Answering_a_few_hundred_MB_of_requests_leaves_the_resident_set_where_it_was()
    {
        await using var broker = await BrokerProcess.StartAsync(["auto.create.topics.enable=false"]);
        using var connection = await RawConnection.ConnectAsync(broker.Port);
        await connection.SendAsync(new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = "wide", NumPartitions = Partitions, ReplicationFactor = 1 }],
        }, 7, 1);
        var (_, created) = await connection.ReadResponseAsync<CreateTopicsResponse>(7, Timeout);
        Assert.Equal(0, created.Topics[0].ErrorCode);

        var request = new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "wide" }], AllowAutoTopicCreation = false };
        var correlationId = 1;
        async Task<int> AskAsync()
        {
            await connection.SendAsync(request, 9, ++correlationId);
            var frame = await connection.ReadFrameAsync(Timeout);
            Assert.NotNull(frame);
            return frame.Length;
        }

        // A warm-up: the code and buffers that serving the request takes once are where the broker starts.
        for (var i = 0; i < 50; i++)
        {
            await AskAsync();
        }
        var rssBefore = broker.ReadProcStatusBytes("VmRSS");
        long answered = 0;
        var requests = 0;
        while (answered < AnsweredBytes)
        {
            answered += await AskAsync();
            requests++;
        }
        var rssAfter = broker.ReadProcStatusBytes("VmRSS");
        var summary = $"{requests} metadata requests answered with {answered / MiB} MB; RSS {rssBefore / MiB} MB -> {rssAfter / MiB} MB (peak {broker.ReadProcStatusBytes("VmHWM") / MiB} MB)";
        output.WriteLine(summary);
        Assert.True(rssAfter <= rssBefore + 48 * MiB, summary);
    }
}
