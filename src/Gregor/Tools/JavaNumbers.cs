using System.Globalization;

namespace Gregor.Tools;

/// <summary>
/// Doubles and floats as Java's Double.toString / Float.toString print them: the shortest
/// digits that read back to the same value; plain notation with at least one digit after the
/// point for magnitudes in [10^-3, 10^7) ("1.0", "0.001"), otherwise "d.dddE±n" ("1.0E7",
/// "1.5E-4"); "NaN", "Infinity", "-Infinity".
/// </summary>
public static class JavaNumbers
{
    public static string Format(double value) =>
        double.IsNaN(value) ? "NaN"
        : double.IsInfinity(value) ? (value > 0 ? "Infinity" : "-Infinity")
        : Format(value.ToString("R", CultureInfo.InvariantCulture), value < 0 || (value == 0 && double.IsNegative(value)));

    public static string Format(float value) =>
        float.IsNaN(value) ? "NaN"
        : float.IsInfinity(value) ? (value > 0 ? "Infinity" : "-Infinity")
        : Format(value.ToString("R", CultureInfo.InvariantCulture), value < 0 || (value == 0 && float.IsNegative(value)));

    /// <summary>From .NET's shortest round-trip text, whatever its notation, to Java's layout.</summary>
    private static string Format(string shortest, bool negative)
    {
        var text = shortest.TrimStart('-');
        var exponent = 0;
        var e = text.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }
        // text is now d+[.d+]; make it digits with the decimal point after the first digit.
        var point = text.IndexOf('.', StringComparison.Ordinal);
        var digits = point < 0 ? text : text.Remove(point, 1);
        exponent += (point < 0 ? text.Length : point) - 1;
        var leading = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        exponent -= leading;
        if (digits.Length == 0)
        {
            return negative ? "-0.0" : "0.0";
        }
        string body;
        if (exponent is >= -3 and < 7)
        {
            if (exponent < 0)
            {
                body = "0." + new string('0', -exponent - 1) + digits;
            }
            else
            {
                var whole = digits.Length > exponent + 1 ? digits[..(exponent + 1)] : digits.PadRight(exponent + 1, '0');
                var fraction = digits.Length > exponent + 1 ? digits[(exponent + 1)..] : "0";
                body = whole + "." + fraction;
            }
        }
        else
        {
            body = digits[..1] + "." + (digits.Length > 1 ? digits[1..] : "0") + "E" + exponent.ToString(CultureInfo.InvariantCulture);
        }
        return negative ? "-" + body : body;
    }
}
