namespace Gregor.Protocol.Tests.Support;

/// <summary>Hex text (spaces allowed) to bytes and back, for readable expected encodings.</summary>
public static class Hex
{
    public static byte[] Parse(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    public static string Format(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
