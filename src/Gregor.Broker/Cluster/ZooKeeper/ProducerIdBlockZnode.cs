namespace Gregor.Broker.Cluster.ZooKeeper;

/// <summary>A range of producer ids [FirstProducerId, LastProducerId] handed to one broker.</summary>
public sealed record ProducerIdBlock(int BrokerId, long FirstProducerId, int Size)
{
    /// <summary>Kafka's block size (ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE).</summary>
    public const int DefaultSize = 1000;

    public long LastProducerId => FirstProducerId + Size - 1;

    public long NextBlockFirstId => FirstProducerId + Size;
}

/// <summary>
/// /latest_producer_id_block codec (ProducerIdBlockZNode):
/// <c>{"version":1,"broker":1,"block_start":"0","block_end":"999"}</c> — the bounds are decimal strings, both inclusive.
/// </summary>
public static class ProducerIdBlockZnode
{
    public static byte[] Encode(ProducerIdBlock block) => ZnodeJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("version", 1);
        w.WriteNumber("broker", block.BrokerId);
        w.WriteString("block_start", block.FirstProducerId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteString("block_end", block.LastProducerId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteEndObject();
    });

    public static ZnodeParseResult<ProducerIdBlock> Decode(ReadOnlySpan<byte> data)
    {
        using var document = ZnodeJson.TryParseObject(data, out var error);
        if (document is null
            || !ZnodeJson.TryGetInt(document.RootElement, "broker", out var broker, out error)
            || !ZnodeJson.TryGetLongString(document.RootElement, "block_start", out var start, out error)
            || !ZnodeJson.TryGetLongString(document.RootElement, "block_end", out var end, out error))
        {
            return ZnodeParseResult<ProducerIdBlock>.Invalid(error!);
        }
        if (start < 0 || end < start || end - start >= int.MaxValue)
        {
            return ZnodeParseResult<ProducerIdBlock>.Invalid($"block [{start}, {end}] is not a valid range");
        }
        return ZnodeParseResult<ProducerIdBlock>.Valid(new ProducerIdBlock(broker, start, (int)(end - start + 1)));
    }
}
