using System.Reflection;
using Gregor.EndToEnd.Tests.Support;
using Gregor.Protocol.Messages;
using ErrorCode = Gregor.Protocol.Errors.ErrorCode;

namespace Gregor.EndToEnd.Tests.Foundation;

/// <summary>
/// Every API key Kafka defines that Gregor does not implement is answered with a well-formed
/// response carrying an error (UNSUPPORTED_VERSION or the API's own), at its lowest and highest
/// version, on a connection that stays open; ApiVersions still lists only what is implemented.
/// </summary>
public sealed class UnsupportedApiTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static readonly Assembly Protocol = typeof(ApiMessages).Assembly;

    private async Task<HashSet<ApiKey>> AdvertisedAsync()
    {
        using var connection = await RawConnection.ConnectAsync(fixture.Broker.Port);
        await connection.SendAsync(new ApiVersionsRequest { ClientSoftwareName = "e2e", ClientSoftwareVersion = "1" }, 3, 1);
        var (_, response) = await connection.ReadResponseAsync<ApiVersionsResponse>(3, Timeout);
        return response.ApiKeys.Select(k => (ApiKey)k.ApiKey).ToHashSet();
    }

    private static byte[] Build(Type requestType, object request, short version, int correlationId) =>
        (byte[])typeof(RawConnection).GetMethod(nameof(RawConnection.BuildRequest))!.MakeGenericMethod(requestType)
            .Invoke(null, [request, version, correlationId, "e2e-test"])!;

    private static (int CorrelationId, object Body) Decode(Type responseType, byte[] frame, short version)
    {
        var tuple = typeof(RawConnection).GetMethod(nameof(RawConnection.Decode))!.MakeGenericMethod(responseType).Invoke(null, [frame, version])!;
        var fields = tuple.GetType().GetFields();
        return ((int)fields[0].GetValue(tuple)!, fields[1].GetValue(tuple)!);
    }

    /// <summary>Whether the field is in this version's layout: changing it changes what is written.</summary>
    private static bool HasField(object body, PropertyInfo field, short version)
    {
        static byte[] Write(object message, short version)
        {
            using var writer = new Gregor.Protocol.Wire.KafkaWriter();
            ((IKafkaMessage)message).Write(writer, version);
            return writer.ToArray();
        }
        var before = Write(body, version);
        field.SetValue(body, (short)1);
        return !before.AsSpan().SequenceEqual(Write(body, version));
    }

    [Fact]
    public async Task Every_api_Kafka_defines_and_Gregor_does_not_implement_gets_an_error_response()
    {
        var advertised = await AdvertisedAsync();
        var unimplemented = ApiMessages.All.Where(a => !advertised.Contains(a.Key)).ToList();
        Assert.NotEmpty(unimplemented);
        var problems = new List<string>();
        using var connection = await RawConnection.ConnectAsync(fixture.Broker.Port);
        var correlationId = 100;
        foreach (var api in unimplemented)
        {
            var requestType = Protocol.GetType($"Gregor.Protocol.Messages.{api.Name}Request")!;
            var responseType = Protocol.GetType($"Gregor.Protocol.Messages.{api.Name}Response")!;
            foreach (var version in new[] { api.MinVersion, api.MaxVersion }.Distinct())
            {
                correlationId++;
                await connection.SendRawAsync(Build(requestType, Activator.CreateInstance(requestType)!, version, correlationId));
                var frame = await connection.ReadFrameAsync(Timeout);
                if (frame is null)
                {
                    problems.Add($"{api.Name} v{version}: connection closed");
                    Assert.Fail(string.Join("\n", problems));
                }
                var (answeredId, body) = Decode(responseType, frame, version);
                if (answeredId != correlationId)
                {
                    problems.Add($"{api.Name} v{version}: correlation id {answeredId}, expected {correlationId}");
                }
                if (responseType.GetProperty("ErrorCode") is { } errorCode && (short)errorCode.GetValue(body)! == 0 && HasField(body, errorCode, version))
                {
                    problems.Add($"{api.Name} v{version}: error code 0");
                }
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.DoesNotContain(fixture.Broker.Output, l => l.Contains("unknown API key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_response_without_a_top_level_error_answers_each_requested_entry()
    {
        using var connection = await RawConnection.ConnectAsync(fixture.Broker.Port);
        var creations = new CreateAclsRequest
        {
            Creations =
            [
                new CreateAclsRequest.AclCreation { ResourceType = 2, ResourceName = "t", ResourcePatternType = 3, Principal = "User:a", Host = "*", Operation = 3, PermissionType = 3 },
                new CreateAclsRequest.AclCreation { ResourceType = 2, ResourceName = "u", ResourcePatternType = 3, Principal = "User:b", Host = "*", Operation = 3, PermissionType = 3 },
            ],
        };
        await connection.SendAsync(creations, 3, 1);
        var (_, created) = await connection.ReadResponseAsync<CreateAclsResponse>(3, Timeout);
        Assert.Equal([(short)ErrorCode.SecurityDisabled, (short)ErrorCode.SecurityDisabled], created.Results.Select(r => r.ErrorCode));

        var epochs = new OffsetForLeaderEpochRequest
        {
            Topics =
            [
                new OffsetForLeaderEpochRequest.OffsetForLeaderTopic
                {
                    Topic = "t",
                    Partitions = [new OffsetForLeaderEpochRequest.OffsetForLeaderPartition { Partition = 3, CurrentLeaderEpoch = 5, LeaderEpoch = 5 }],
                },
            ],
        };
        await connection.SendAsync(epochs, 4, 2);
        var (_, answered) = await connection.ReadResponseAsync<OffsetForLeaderEpochResponse>(4, Timeout);
        var partition = Assert.Single(Assert.Single(answered.Topics).Partitions);
        Assert.Equal("t", answered.Topics[0].Topic);
        Assert.Equal(3, partition.Partition);
        // OffsetForLeaderEpoch is served: a partition of an unknown topic is answered for itself.
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, partition.ErrorCode);
        Assert.Equal(-1, partition.EndOffset);

        await connection.SendAsync(new SaslHandshakeRequest { Mechanism = "PLAIN" }, 1, 3);
        var (_, handshake) = await connection.ReadResponseAsync<SaslHandshakeResponse>(1, Timeout);
        Assert.Equal((short)ErrorCode.UnsupportedSaslMechanism, handshake.ErrorCode);
        Assert.Empty(handshake.Mechanisms);
    }

    [Fact]
    public async Task ApiVersions_lists_only_implemented_apis()
    {
        var advertised = await AdvertisedAsync();
        Assert.DoesNotContain(ApiKey.CreateAcls, advertised);
        Assert.DoesNotContain(ApiKey.SaslHandshake, advertised);
        Assert.Contains(ApiKey.Produce, advertised);
    }
}
