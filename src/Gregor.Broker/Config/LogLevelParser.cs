using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Config;

/// <summary>
/// Maps a level name from <c>log.level</c> (or the command line) to a <see cref="LogLevel"/>.
/// Accepts log4j's names (trace, debug, info, warn, error, fatal, off) and .NET's
/// (trace, debug, information, warning, error, critical, none), in any case.
/// </summary>
public static class LogLevelParser
{
    /// <summary>Parses a level name; false for an unknown name.</summary>
    public static bool TryParse(string? text, out LogLevel level)
    {
        level = (text?.Trim().ToLowerInvariant()) switch
        {
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "info" or "information" => LogLevel.Information,
            "warn" or "warning" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "critical" or "fatal" => LogLevel.Critical,
            "none" or "off" => LogLevel.None,
            _ => (LogLevel)(-1),
        };
        return level != (LogLevel)(-1);
    }

    /// <summary>Parses a level name.</summary>
    /// <exception cref="ConfigException">Unknown name (reported against <c>log.level</c>).</exception>
    public static LogLevel Parse(string text) =>
        TryParse(text, out var level)
            ? level
            : throw new ConfigException("log.level", text, "must be one of: trace, debug, info, warn, error, critical, none");
}
