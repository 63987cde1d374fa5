namespace Gregor.Broker.Admin;

/// <summary>
/// Authorized-operations bit fields for the describe APIs. There are no ACLs, so every operation
/// Kafka defines for a resource type is allowed; the bits are Kafka's <c>AclOperation</c> codes.
/// </summary>
public static class AclOperations
{
    /// <summary>CREATE(5), ALTER(7), DESCRIBE(8), CLUSTER_ACTION(9), DESCRIBE_CONFIGS(10), ALTER_CONFIGS(11), IDEMPOTENT_WRITE(12).</summary>
    public const int AllClusterOperations = (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);
}
