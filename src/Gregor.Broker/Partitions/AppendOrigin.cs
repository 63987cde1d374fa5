namespace Gregor.Broker.Partitions;

/// <summary>
/// Who appends to a partition. A client's and a coordinator's batches are validated and given
/// offsets by the leader (a coordinator writes internal topics, which clients may not); a
/// replica's batches arrive from the leader with their offsets and are written as they are.
/// </summary>
public enum AppendOrigin
{
    Client,
    Coordinator,
    Replication,
}
