namespace Gregor.EndToEnd.Tests.Groups.Members;

/// <summary>One record a group member processed: who, where, and its value.</summary>
public sealed record ConsumedRecord(string Member, int Partition, long Offset, string Value);
