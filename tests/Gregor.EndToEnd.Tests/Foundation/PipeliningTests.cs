using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;

namespace Gregor.EndToEnd.Tests.Foundation;

/// <summary>Requests pipelined on one connection are answered in the order they were sent.</summary>
public sealed class PipeliningTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Sixteen_pipelined_requests_come_back_in_order()
    {
        using var connection = await RawConnection.ConnectAsync(fixture.Broker.Port);
        // Alternate APIs and versions so the responses differ in shape as well as correlation id.
        var frames = new List<byte>();
        for (var i = 0; i < 16; i++)
        {
            frames.AddRange(i % 2 == 0
                ? RawConnection.BuildRequest(new ApiVersionsRequest { ClientSoftwareName = "pipe", ClientSoftwareVersion = "1" }, (short)(i % 4), 1000 + i)
                : RawConnection.BuildRequest(new MetadataRequest { Topics = null }, (short)(i % 13), 1000 + i));
        }
        await connection.SendRawAsync([.. frames]);
        for (var i = 0; i < 16; i++)
        {
            if (i % 2 == 0)
            {
                var (correlationId, body) = await connection.ReadResponseAsync<ApiVersionsResponse>((short)(i % 4), TimeSpan.FromSeconds(10));
                Assert.Equal(1000 + i, correlationId);
                Assert.Equal(0, body.ErrorCode);
            }
            else
            {
                var (correlationId, body) = await connection.ReadResponseAsync<MetadataResponse>((short)(i % 13), TimeSpan.FromSeconds(10));
                Assert.Equal(1000 + i, correlationId);
                Assert.Single(body.Brokers);
            }
        }
    }
}
