using System.Globalization;

namespace Gregor.Broker.Config;

/// <summary>
/// A check on a parsed (typed) config value. <see cref="Check"/> returns null when the value is
/// valid, else the reason, phrased to follow "Invalid value X for configuration Y: ".
/// An unset (null) value is never checked: keys that may be unset have no default to check.
/// </summary>
public abstract class ConfigValidator
{
    /// <summary>Null when valid, else why not.</summary>
    public abstract string? Check(object value);

    /// <summary>The valid values, for documentation (e.g. <c>[1,...]</c>).</summary>
    public abstract override string ToString();

    /// <summary>An integral or floating value no smaller than <paramref name="min"/>.</summary>
    public static ConfigValidator AtLeast(double min) => new RangeValidator(min, null);

    /// <summary>A value in the closed range [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static ConfigValidator Between(double min, double max) => new RangeValidator(min, max);

    /// <summary>A string equal to one of <paramref name="allowed"/> (case-sensitive, as Kafka).</summary>
    public static ConfigValidator OneOf(params string[] allowed) => new OneOfValidator(allowed, ignoreCase: false);

    /// <summary>A string equal to one of <paramref name="allowed"/>, ignoring case.</summary>
    public static ConfigValidator OneOfIgnoreCase(params string[] allowed) => new OneOfValidator(allowed, ignoreCase: true);

    /// <summary>A list whose every element is one of <paramref name="allowed"/>.</summary>
    public static ConfigValidator ListOf(params string[] allowed) => new ListOfValidator(allowed);

    /// <summary>A validator from a function (null: valid) and a description.</summary>
    public static ConfigValidator Custom(Func<object, string?> check, string description) => new CustomValidator(check, description);

    internal static string FormatNumber(double d) =>
        d == Math.Floor(d) && Math.Abs(d) < 1e18 ? ((long)d).ToString(CultureInfo.InvariantCulture) : d.ToString("R", CultureInfo.InvariantCulture);

    private sealed class RangeValidator(double min, double? max) : ConfigValidator
    {
        public override string? Check(object value)
        {
            var d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
            if (double.IsNaN(d))
            {
                return "not a number";
            }
            if (max is { } upper)
            {
                return d < min || d > upper ? $"must be between {FormatNumber(min)} and {FormatNumber(upper)}" : null;
            }
            return d < min ? $"must be at least {FormatNumber(min)}" : null;
        }

        public override string ToString() => max is { } upper ? $"[{FormatNumber(min)},...,{FormatNumber(upper)}]" : $"[{FormatNumber(min)},...]";
    }

    private sealed class OneOfValidator(string[] allowed, bool ignoreCase) : ConfigValidator
    {
        public override string? Check(object value) =>
            allowed.Contains((string)value, ignoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal)
                ? null
                : $"must be one of: {string.Join(", ", allowed)}";

        public override string ToString() => $"[{string.Join(", ", allowed)}]";
    }

    private sealed class ListOfValidator(string[] allowed) : ConfigValidator
    {
        public override string? Check(object value)
        {
            foreach (var item in (IReadOnlyList<string>)value)
            {
                if (!allowed.Contains(item, StringComparer.Ordinal))
                {
                    return $"'{item}' is not one of: {string.Join(", ", allowed)}";
                }
            }
            return null;
        }

        public override string ToString() => $"[{string.Join(", ", allowed)}]";
    }

    private sealed class CustomValidator(Func<object, string?> check, string description) : ConfigValidator
    {
        public override string? Check(object value) => check(value);

        public override string ToString() => description;
    }
}
