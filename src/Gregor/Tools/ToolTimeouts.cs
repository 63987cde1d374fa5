namespace Gregor.Tools;

/// <summary>
/// How long tools wait for a cluster. A tool must never hang on an unreachable broker: every
/// admin call carries <see cref="Request"/>, and the first contact is bounded by <see cref="Connect"/>.
/// </summary>
public static class ToolTimeouts
{
    public static readonly TimeSpan Connect = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan Request = TimeSpan.FromSeconds(30);
}
