using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Gregor;

/// <summary>Console logging, one line per event with a UTC timestamp, at the configured level.</summary>
public static class Logging
{
    public static ILoggerFactory Create(LogLevel level) =>
        LoggerFactory.Create(builder => builder
            .SetMinimumLevel(level)
            .AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
                options.ColorBehavior = LoggerColorBehavior.Disabled;
            }));
}
