using Gregor.Protocol.Messages;
using Gregor.Protocol.Tests.Support;

namespace Gregor.Protocol.Tests.Messages.Golden;

/// <summary>ApiVersions bodies against bytes built by hand from the reference field orders.</summary>
public sealed class ApiVersionsGoldenTests
{
    [Fact]
    public void RequestV0IsEmpty()
    {
        GoldenAssert.BothWays(new ApiVersionsRequest { ClientSoftwareName = "ignored" }, 0, []);
    }

    [Fact]
    public void RequestV3HasCompactClientSoftwareNameAndVersion()
    {
        var expected = new ByteBuilder().CompactString("gregor-test").CompactString("1.0").NoTaggedFields().ToArray();
        var read = GoldenAssert.BothWays(new ApiVersionsRequest { ClientSoftwareName = "gregor-test", ClientSoftwareVersion = "1.0" }, 3, expected);
        Assert.Equal("gregor-test", read.ClientSoftwareName);
        Assert.Equal("1.0", read.ClientSoftwareVersion);
    }

    [Fact]
    public void ResponseV0HasErrorCodeAndApiKeysOnly()
    {
        var response = new ApiVersionsResponse
        {
            ErrorCode = 0,
            ApiKeys = [new() { ApiKey = 0, MinVersion = 0, MaxVersion = 11 }, new() { ApiKey = 18, MinVersion = 0, MaxVersion = 4 }],
            ThrottleTimeMs = 99, // not in v0
        };
        var expected = new ByteBuilder()
            .Int16(0)
            .ArrayCount(2).Int16(0).Int16(0).Int16(11).Int16(18).Int16(0).Int16(4)
            .ToArray();
        var read = GoldenAssert.BothWays(response, 0, expected);
        Assert.Equal(2, read.ApiKeys.Count);
        Assert.Equal((18, 0, 4), (read.ApiKeys[1].ApiKey, read.ApiKeys[1].MinVersion, read.ApiKeys[1].MaxVersion));
        Assert.Equal(0, read.ThrottleTimeMs);
    }

    [Fact]
    public void ResponseV3WithoutFeaturesHasAnEmptyTaggedSection()
    {
        var response = new ApiVersionsResponse { ErrorCode = 35, ApiKeys = [new() { ApiKey = 18, MinVersion = 0, MaxVersion = 4 }], ThrottleTimeMs = 7 };
        var expected = new ByteBuilder()
            .Int16(35)
            .CompactArrayCount(1).Int16(18).Int16(0).Int16(4).NoTaggedFields()
            .Int32(7)
            .NoTaggedFields()
            .ToArray();
        var read = GoldenAssert.BothWays(response, 3, expected);
        Assert.Equal(35, read.ErrorCode);
        Assert.Equal(-1, read.FinalizedFeaturesEpoch);
        Assert.Empty(read.SupportedFeatures);
    }

    [Fact]
    public void ResponseV3CarriesFeaturesAsTaggedFieldsInTagOrder()
    {
        var response = new ApiVersionsResponse
        {
            ApiKeys = [new() { ApiKey = 3, MinVersion = 0, MaxVersion = 12 }],
            ThrottleTimeMs = 0,
            SupportedFeatures = [new() { Name = "metadata.version", MinVersion = 1, MaxVersion = 20 }],
            FinalizedFeaturesEpoch = 5,
            FinalizedFeatures = [new() { Name = "metadata.version", MaxVersionLevel = 20, MinVersionLevel = 20 }],
        };
        var supported = new ByteBuilder().CompactArrayCount(1).CompactString("metadata.version").Int16(1).Int16(20).NoTaggedFields().ToArray();
        var epoch = new ByteBuilder().Int64(5).ToArray();
        var finalized = new ByteBuilder().CompactArrayCount(1).CompactString("metadata.version").Int16(20).Int16(20).NoTaggedFields().ToArray();
        var expected = new ByteBuilder()
            .Int16(0)
            .CompactArrayCount(1).Int16(3).Int16(0).Int16(12).NoTaggedFields()
            .Int32(0)
            .UnsignedVarInt(3).TaggedField(0, supported).TaggedField(1, epoch).TaggedField(2, finalized)
            .ToArray();
        var read = GoldenAssert.BothWays(response, 3, expected);
        Assert.Equal(("metadata.version", (short)1, (short)20), (read.SupportedFeatures[0].Name, read.SupportedFeatures[0].MinVersion, read.SupportedFeatures[0].MaxVersion));
        Assert.Equal(5, read.FinalizedFeaturesEpoch);
        Assert.Equal(("metadata.version", (short)20, (short)20), (read.FinalizedFeatures[0].Name, read.FinalizedFeatures[0].MaxVersionLevel, read.FinalizedFeatures[0].MinVersionLevel));
        Assert.False(read.ZkMigrationReady);
    }

    [Fact]
    public void AnUnknownTaggedFieldIsSkipped()
    {
        var expected = new ByteBuilder()
            .Int16(0).CompactArrayCount(0).Int32(0)
            .UnsignedVarInt(2).TaggedField(1, new ByteBuilder().Int64(9).ToArray()).TaggedField(99, [1, 2, 3])
            .ToArray();
        var reader = new Gregor.Protocol.Wire.KafkaReader(expected);
        var read = ApiVersionsResponse.Read(ref reader, 3);
        Assert.True(reader.IsAtEnd);
        Assert.Equal(9, read.FinalizedFeaturesEpoch);
    }
}
