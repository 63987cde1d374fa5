using System.Globalization;

namespace Gregor.Broker.Config;

/// <summary>
/// Conversions between the text of a config value and its typed form, following Kafka's
/// ConfigDef: surrounding blanks are trimmed; booleans are <c>true</c>/<c>false</c> in any
/// case; lists are comma separated with blanks around the commas dropped, and an empty
/// string is the empty list.
/// </summary>
public static class ConfigValues
{
    /// <summary>Parses <paramref name="raw"/> as a value of <paramref name="key"/>'s type; null stays null.</summary>
    /// <exception cref="ConfigException">The text is not a value of the type.</exception>
    public static object? Parse(ConfigKey key, string? raw)
    {
        if (raw is null)
        {
            return null;
        }
        var s = raw.Trim();
        switch (key.Type)
        {
            case ConfigType.Boolean:
                if (s.Equals("true", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
                if (s.Equals("false", StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
                throw new ConfigException(key.Name, raw, "expected value to be either true or false");
            case ConfigType.Short:
                return (short)ParseIntegral(key, raw, s, short.MinValue, short.MaxValue, "SHORT");
            case ConfigType.Int:
                return (int)ParseIntegral(key, raw, s, int.MinValue, int.MaxValue, "INT");
            case ConfigType.Long:
                return ParseIntegral(key, raw, s, long.MinValue, long.MaxValue, "LONG");
            case ConfigType.Double:
                if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !double.IsNaN(d))
                {
                    return d;
                }
                throw new ConfigException(key.Name, raw, "not a number");
            case ConfigType.List:
                return s.Length == 0 ? Array.Empty<string>() : s.Split(',').Select(x => x.Trim()).ToArray();
            default:
                return s;
        }
    }

    private static long ParseIntegral(ConfigKey key, string raw, string s, long min, long max, string typeName)
    {
        if (!long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
        {
            // A run of digits that only fails for being too large is "out of range", not "not a number".
            var digits = s.StartsWith('-') || s.StartsWith('+') ? s[1..] : s;
            throw digits.Length > 0 && digits.All(char.IsAsciiDigit)
                ? new ConfigException(key.Name, raw, $"out of range for type {typeName}")
                : new ConfigException(key.Name, raw, "not a number");
        }
        if (n < min || n > max)
        {
            throw new ConfigException(key.Name, raw, $"out of range for type {typeName}");
        }
        return n;
    }

    /// <summary>
    /// Formats a typed value the way Kafka prints it: lists comma joined, booleans lower case,
    /// numbers in invariant culture; null stays null.
    /// </summary>
    public static string? Format(object? value) => value switch
    {
        null => null,
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IReadOnlyList<string> list => string.Join(",", list),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
