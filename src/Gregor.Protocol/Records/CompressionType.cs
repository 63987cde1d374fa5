namespace Gregor.Protocol.Records;

/// <summary>Codec ids as carried in the low three attribute bits of batches and legacy messages.</summary>
public enum CompressionType : byte
{
    None = 0,
    Gzip = 1,
    Snappy = 2,
    Lz4 = 3,
    Zstd = 4,
}
