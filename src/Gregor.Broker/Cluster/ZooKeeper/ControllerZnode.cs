using System.Globalization;
using System.Text;

namespace Gregor.Broker.Cluster.ZooKeeper;

/// <summary>The payload of the ephemeral /controller node.</summary>
public sealed record ControllerRegistration(int BrokerId, int? KraftControllerEpoch);

/// <summary>
/// /controller codec (ControllerZNode): <c>{"version":2,"brokerid":1,"timestamp":"1700000000000","kraftControllerEpoch":-1}</c>,
/// the timestamp a string of epoch milliseconds. Kafka reads only "brokerid" (and the KRaft epoch when present).
/// </summary>
public static class ControllerZnode
{
    public static byte[] Encode(int brokerId, long timestampMs) => ZnodeJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("version", 2);
        w.WriteNumber("brokerid", brokerId);
        w.WriteString("timestamp", timestampMs.ToString(CultureInfo.InvariantCulture));
        w.WriteNumber("kraftControllerEpoch", -1);
        w.WriteEndObject();
    });

    public static ZnodeParseResult<ControllerRegistration> Decode(ReadOnlySpan<byte> data)
    {
        using var document = ZnodeJson.TryParseObject(data, out var error);
        if (document is null || !ZnodeJson.TryGetInt(document.RootElement, "brokerid", out var brokerId, out error))
        {
            return ZnodeParseResult<ControllerRegistration>.Invalid(error!);
        }
        int? kraftEpoch = null;
        if (document.RootElement.TryGetProperty("kraftControllerEpoch", out _))
        {
            if (!ZnodeJson.TryGetInt(document.RootElement, "kraftControllerEpoch", out var epoch, out error))
            {
                return ZnodeParseResult<ControllerRegistration>.Invalid(error!);
            }
            kraftEpoch = epoch;
        }
        return ZnodeParseResult<ControllerRegistration>.Valid(new ControllerRegistration(brokerId, kraftEpoch));
    }
}

/// <summary>/controller_epoch codec: the epoch as ASCII decimal digits, no JSON. The first controller writes 1 over 0.</summary>
public static class ControllerEpochZnode
{
    /// <summary>The value a fresh /controller_epoch is created with (KafkaController.InitialControllerEpoch).</summary>
    public const int InitialEpoch = 0;

    public static byte[] Encode(int epoch) => Encoding.ASCII.GetBytes(epoch.ToString(CultureInfo.InvariantCulture));

    /// <summary>The epoch, or null when the payload is not a decimal int.</summary>
    public static int? Decode(ReadOnlySpan<byte> data) =>
        int.TryParse(data, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch) ? epoch : null;
}
