namespace Gregor.Broker.Config;

/// <summary>
/// <c>cleanup.policy</c> / <c>log.cleanup.policy</c>: what happens to old segments. Both flags
/// together (<c>compact,delete</c>) compact and also delete by retention.
/// </summary>
[Flags]
public enum CleanupPolicy
{
    None = 0,
    Delete = 1,
    Compact = 2,
}

/// <summary>Conversions between cleanup policy lists and flags.</summary>
public static class CleanupPolicies
{
    /// <summary>Flags from the parsed list (elements already validated).</summary>
    public static CleanupPolicy FromList(IReadOnlyList<string> list)
    {
        var policy = CleanupPolicy.None;
        foreach (var item in list)
        {
            policy |= item switch
            {
                "delete" => CleanupPolicy.Delete,
                "compact" => CleanupPolicy.Compact,
                _ => CleanupPolicy.None,
            };
        }
        return policy;
    }
}
