using System.Globalization;
using Gregor.ZooKeeper;

namespace Gregor.Tools;

/// <summary>
/// A znode's stat as ZooKeeper's own shell prints it: one "name = value" line per field in its order, zxids and the
/// ephemeral owner as 0x-prefixed lowercase hex without leading zeros, times as Java's Date.toString
/// ("Thu Dec 03 12:40:12 UTC 2026"), here always in UTC.
/// </summary>
public static class ZkStatText
{
    public static IEnumerable<string> Lines(ZkStat stat) =>
    [
        $"cZxid = {Hex(stat.Czxid)}",
        $"ctime = {JavaDate(stat.Ctime)}",
        $"mZxid = {Hex(stat.Mzxid)}",
        $"mtime = {JavaDate(stat.Mtime)}",
        $"pZxid = {Hex(stat.Pzxid)}",
        $"cversion = {stat.Cversion.ToString(CultureInfo.InvariantCulture)}",
        $"dataVersion = {stat.Version.ToString(CultureInfo.InvariantCulture)}",
        $"aclVersion = {stat.Aversion.ToString(CultureInfo.InvariantCulture)}",
        $"ephemeralOwner = {Hex(stat.EphemeralOwner)}",
        $"dataLength = {stat.DataLength.ToString(CultureInfo.InvariantCulture)}",
        $"numChildren = {stat.NumChildren.ToString(CultureInfo.InvariantCulture)}",
    ];

    // Java's Long.toHexString: the two's-complement bits, so a negative value prints 16 digits.
    private static string Hex(long value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    private static string JavaDate(long unixMilliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds).UtcDateTime
            .ToString("ddd MMM dd HH:mm:ss 'UTC' yyyy", CultureInfo.InvariantCulture);
}
