namespace Gregor.Protocol.Messages;

/// <summary>What the definitions say of one API: its versions and where flexible versions start.</summary>
public sealed record ApiMessageInfo(ApiKey Key, string Name, short MinVersion, short MaxVersion, short FirstFlexibleVersion)
{
    public bool IsFlexible(short version) => FirstFlexibleVersion >= 0 && version >= FirstFlexibleVersion;

    /// <summary>Request header v2 for flexible versions, v1 otherwise; ControlledShutdown v0 alone uses v0 (no client id).</summary>
    public short RequestHeaderVersion(short version) =>
        IsFlexible(version) ? (short)2 : Key == ApiKey.ControlledShutdown && version == 0 ? (short)0 : (short)1;

    /// <summary>Response header v1 for flexible versions, v0 otherwise; ApiVersions always answers with v0,
    /// so that a client can read the answer whatever version it asked for.</summary>
    public short ResponseHeaderVersion(short version) =>
        Key != ApiKey.ApiVersions && IsFlexible(version) ? (short)1 : (short)0;
}

public static partial class ApiMessages
{
    // Built on first use: static initializers of the two halves of this partial class run in no
    // guaranteed order, so an eagerly built index could see All still null.
    private static ApiMessageInfo?[]? _byKey;

    private static ApiMessageInfo?[] BuildIndex()
    {
        var index = new ApiMessageInfo?[All.Max(a => (int)a.Key) + 1];
        foreach (var api in All)
        {
            index[(int)api.Key] = api;
        }
        return index;
    }

    public static ApiMessageInfo? Find(short apiKey)
    {
        var byKey = _byKey ??= BuildIndex();
        return apiKey >= 0 && apiKey < byKey.Length ? byKey[apiKey] : null;
    }
}
