using Gregor.Broker.Config;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Tests.Config;

public class LogLevelParserTests
{
    [Theory]
    [InlineData("trace", LogLevel.Trace)]
    [InlineData("DEBUG", LogLevel.Debug)]
    [InlineData("info", LogLevel.Information)]
    [InlineData("Information", LogLevel.Information)]
    [InlineData("warn", LogLevel.Warning)]
    [InlineData("warning", LogLevel.Warning)]
    [InlineData("error", LogLevel.Error)]
    [InlineData("critical", LogLevel.Critical)]
    [InlineData("fatal", LogLevel.Critical)]
    [InlineData(" none ", LogLevel.None)]
    [InlineData("off", LogLevel.None)]
    public void Known_names(string text, LogLevel expected)
    {
        Assert.True(LogLevelParser.TryParse(text, out var level));
        Assert.Equal(expected, level);
        Assert.Equal(expected, LogLevelParser.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("verbose")]
    [InlineData("3")]
    public void Unknown_names(string? text)
    {
        Assert.False(LogLevelParser.TryParse(text, out _));
    }

    [Fact]
    public void Parse_reports_the_log_level_key()
    {
        var e = Assert.Throws<ConfigException>(() => LogLevelParser.Parse("loud"));
        Assert.Equal("log.level", e.Key);
    }
}
