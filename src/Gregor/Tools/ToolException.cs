namespace Gregor.Tools;

/// <summary>
/// A failure a tool reports as one line on stderr ("gregor TOOL: MESSAGE") with exit code 1:
/// bad arguments, unknown topics, unreachable clusters. Never carries a stack trace to the user.
/// </summary>
public sealed class ToolException(string message) : Exception(message);
