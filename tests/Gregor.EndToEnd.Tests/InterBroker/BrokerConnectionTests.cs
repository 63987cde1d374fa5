using Gregor.Broker.InterBroker;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;
using Microsoft.Extensions.Time.Testing;
using static Gregor.EndToEnd.Tests.InterBroker.InterBrokerKit;

namespace Gregor.EndToEnd.Tests.InterBroker;

/// <summary>The inter-broker client connection against a real broker process.</summary>
/// <remarks>The tests that SIGSTOP the shared broker resume it before they end.</remarks>
public sealed class BrokerConnectionTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private readonly BrokerProcess _broker = fixture.Broker;

    /// <summary>From v3 the broker checks the client software fields (empty ones are INVALID_REQUEST).</summary>
    private static ApiVersionsRequest SoftwareNamed() => new() { ClientSoftwareName = "gregor-broker", ClientSoftwareVersion = "1" };

    private Task<BrokerConnection> ConnectAsync(BrokerConnectionOptions? options = null) =>
        BrokerConnection.ConnectAsync("127.0.0.1", _broker.Port, options ?? new BrokerConnectionOptions { ClientId = "broker-7" });

    [Theory]
    [InlineData((short)0)]
    [InlineData((short)1)]
    [InlineData((short)2)]
    [InlineData((short)3)] // flexible: request header v2, but the response header stays v0
    public async Task ApiVersions_round_trips(short version)
    {
        await using var connection = await ConnectAsync();
        var response = await connection.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(SoftwareNamed(), version);

        Assert.Equal(0, response.ErrorCode);
        Assert.Contains(response.ApiKeys, k => k.ApiKey == MetadataRequest.ApiKey && k.MaxVersion >= 12);
    }

    [Theory]
    [InlineData((short)0)]
    [InlineData((short)1)]
    [InlineData((short)4)]
    [InlineData((short)8)]
    [InlineData((short)9)] // first flexible version: request header v2, response header v1
    [InlineData((short)12)]
    public async Task Metadata_round_trips(short version)
    {
        await using var connection = await ConnectAsync();

        var response = await connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [] }, version);

        var broker = Assert.Single(response.Brokers);
        Assert.Equal(_broker.Port, broker.Port);
        Assert.Equal("127.0.0.1", broker.Host);
    }

    [Fact]
    public async Task A_response_that_does_not_decode_fails_the_connection()
    {
        await using var connection = await ConnectAsync();

        // ApiVersions v4 is past the broker's range: it answers UNSUPPORTED_VERSION in the v0
        // layout, which does not read as v4.
        var failure = await Assert.ThrowsAsync<BrokerConnectionException>(() =>
            connection.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(SoftwareNamed(), 4)).WaitAsync(Patience);

        Assert.Contains("malformed ApiVersions v4 response", failure.Message);
        Assert.False(connection.IsOpen);
    }

    [Fact]
    public async Task Many_requests_in_flight_are_answered_in_order()
    {
        await using var connection = await ConnectAsync();
        short[] metadataVersions = [0, 1, 5, 9, 12];
        short[] apiVersionsVersions = [0, 2, 3];

        // Alternating APIs and versions: a response matched to the wrong request would not decode
        // as that request's response, or would carry another correlation id and close the connection.
        var sends = Enumerable.Range(0, 300).Select(i => i % 2 == 0
            ? (Task<int>)SendMetadataAsync(metadataVersions[i % metadataVersions.Length])
            : SendApiVersionsAsync(apiVersionsVersions[i % apiVersionsVersions.Length])).ToArray();
        var results = await Task.WhenAll(sends);

        Assert.All(results.Where((_, i) => i % 2 == 0), port => Assert.Equal(_broker.Port, port));
        Assert.All(results.Where((_, i) => i % 2 == 1), keys => Assert.True(keys > 10));
        Assert.True(connection.IsOpen);

        async Task<int> SendMetadataAsync(short version) =>
            (await connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [] }, version)).Brokers.Single().Port;

        async Task<int> SendApiVersionsAsync(short version) =>
            (await connection.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(SoftwareNamed(), version)).ApiKeys.Count;
    }

    [Fact]
    public async Task A_response_larger_than_the_maximum_closes_the_connection()
    {
        await using var connection = await ConnectAsync(new BrokerConnectionOptions { ClientId = "broker-7", MaxResponseBytes = 16 });

        var failure = await Assert.ThrowsAsync<BrokerConnectionException>(() =>
            connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [] }, 12));

        Assert.Contains("outside 4..16", failure.Message);
        Assert.False(connection.IsOpen);
        var later = await Assert.ThrowsAsync<BrokerConnectionException>(() =>
            connection.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest(), 0));
        Assert.Contains("is closed", later.Message);
    }

    [Fact]
    public async Task A_refused_connection_says_where_it_went()
    {
        using var refusing = RefusingPort(out var port);

        var failure = await Assert.ThrowsAsync<BrokerConnectionException>(() =>
            BrokerConnection.ConnectAsync("127.0.0.1", port, new BrokerConnectionOptions { ClientId = "broker-7" }));

        Assert.Contains($"127.0.0.1:{port}", failure.Message);
    }

    [Fact]
    public async Task A_request_without_an_answer_times_out_and_fails_the_connection()
    {
        var time = new FakeTimeProvider();
        var options = new BrokerConnectionOptions { ClientId = "broker-7", RequestTimeout = TimeSpan.FromSeconds(30), Time = time };
        await using var connection = await ConnectAsync(options);
        _broker.Signal("STOP"); // the kernel still takes the bytes; nobody answers them
        try
        {
            var first = connection.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest(), 3);
            var second = connection.SendAsync<MetadataRequest, MetadataResponse>(new MetadataRequest { Topics = [] }, 12);

            await Groups.Members.Eventually.WaitAsync(() =>
            {
                time.Advance(TimeSpan.FromSeconds(31));
                return first.IsCompleted && second.IsCompleted;
            }, Patience, () => $"first {first.Status}, second {second.Status}");

            var failure = await Assert.ThrowsAsync<BrokerConnectionException>(() => first);
            Assert.Contains("no response", failure.Message);
            await Assert.ThrowsAsync<BrokerConnectionException>(() => second);
            Assert.False(connection.IsOpen);
        }
        finally
        {
            _broker.Signal("CONT");
        }
    }

    [Fact]
    public async Task Disposal_fails_the_requests_in_flight()
    {
        var connection = await ConnectAsync();
        _broker.Signal("STOP");
        try
        {
            var pending = Enumerable.Range(0, 5)
                .Select(_ => connection.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest(), 3))
                .ToArray();

            await connection.DisposeAsync();

            foreach (var request in pending)
            {
                var failure = await Assert.ThrowsAsync<BrokerConnectionException>(() => request);
                Assert.Contains("closed by its owner", failure.Message);
            }
        }
        finally
        {
            _broker.Signal("CONT");
        }
    }
}
