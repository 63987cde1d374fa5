namespace Gregor.Broker.Cluster.ZooKeeper;

/// <summary>/cluster/id codec (ClusterIdZNode): <c>{"version":"1","id":"&lt;22 chars&gt;"}</c> — the version is a string.</summary>
public static class ClusterIdZnode
{
    public static byte[] Encode(string clusterId) => ZnodeJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("version", "1");
        w.WriteString("id", clusterId);
        w.WriteEndObject();
    });

    public static ZnodeParseResult<string> Decode(ReadOnlySpan<byte> data)
    {
        using var document = ZnodeJson.TryParseObject(data, out var error);
        if (document is null || !ZnodeJson.TryGetOptionalString(document.RootElement, "id", out var id, out error))
        {
            return ZnodeParseResult<string>.Invalid(error!);
        }
        return string.IsNullOrEmpty(id)
            ? ZnodeParseResult<string>.Invalid("missing \"id\"")
            : ZnodeParseResult<string>.Valid(id);
    }
}
