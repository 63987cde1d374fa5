namespace Gregor.Protocol.Records;

/// <summary>A record header as built by producers and tests (cold paths only).</summary>
public readonly record struct RecordHeader(string Key, byte[]? Value);
