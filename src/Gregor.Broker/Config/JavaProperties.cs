using System.Globalization;
using System.Text;

namespace Gregor.Broker.Config;

/// <summary>
/// Reads and writes Java <c>.properties</c> text, the format of <c>server.properties</c>,
/// <c>meta.properties</c> and persisted topic configs.
/// </summary>
/// <remarks>
/// Syntax accepted (that of <c>java.util.Properties.load</c>):
/// <list type="bullet">
/// <item>Lines end at <c>\n</c>, <c>\r</c> or <c>\r\n</c>; leading spaces, tabs and form feeds are ignored.</item>
/// <item>A line whose first non-blank character is <c>#</c> or <c>!</c> is a comment; blank lines are skipped.</item>
/// <item>The key ends at the first unescaped <c>=</c>, <c>:</c> or blank; blanks around one
///   <c>=</c> or <c>:</c> separator are dropped, so <c>k=v</c>, <c>k: v</c> and <c>k v</c> are equal.</item>
/// <item>A line ending in an odd number of backslashes continues on the next line, whose
///   leading blanks are dropped. Comment lines never continue.</item>
/// <item>Escapes: <c>\t \n \r \f \uXXXX</c>; a backslash before any other character stands
///   for that character (so <c>\=</c>, <c>\:</c>, <c>\ </c> and <c>\\</c> are literal).</item>
/// </list>
/// Java reads an InputStream as ISO-8859-1; Gregor reads files as UTF-8 (ASCII files, and
/// files written by <see cref="Write"/>, which escapes everything outside ASCII, are the same in both).
/// </remarks>
public static class JavaProperties
{
    /// <summary>
    /// Parses properties text into its key/value pairs in file order; a key given twice keeps
    /// its first position and its last value.
    /// </summary>
    /// <exception cref="FormatException">A malformed <c>\uXXXX</c> escape.</exception>
    public static IReadOnlyList<KeyValuePair<string, string>> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var order = new List<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in LogicalLines(text))
        {
            var (key, value) = SplitLine(line);
            if (!values.ContainsKey(key))
            {
                order.Add(key);
            }
            values[key] = value;
        }
        return order.Select(k => new KeyValuePair<string, string>(k, values[k])).ToList();
    }

    /// <summary>Parses properties text into a dictionary (last value wins for duplicate keys).</summary>
    public static Dictionary<string, string> ParseToDictionary(string text) =>
        Parse(text).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary>Reads and parses a properties file (UTF-8).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Load(string path) =>
        Parse(File.ReadAllText(path, Encoding.UTF8));

    /// <summary>
    /// Writes <c>key=value</c> lines, escaped so that <see cref="Parse"/> (and Java) read back
    /// exactly the same pairs. An optional comment is written first as <c>#</c> lines.
    /// </summary>
    public static void Write(TextWriter writer, IEnumerable<KeyValuePair<string, string>> properties, string? comment = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(properties);
        if (comment is not null)
        {
            foreach (var line in comment.ReplaceLineEndings("\n").Split('\n'))
            {
                writer.Write('#');
                writer.Write(line);
                writer.Write('\n');
            }
        }
        foreach (var (key, value) in properties)
        {
            writer.Write(Escape(key, isKey: true));
            writer.Write('=');
            writer.Write(Escape(value, isKey: false));
            writer.Write('\n');
        }
    }

    /// <summary>Formats the pairs as properties text (see <see cref="Write"/>).</summary>
    public static string Format(IEnumerable<KeyValuePair<string, string>> properties, string? comment = null)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(writer, properties, comment);
        return writer.ToString();
    }

    /// <summary>
    /// Writes the file through a temporary file and a rename, so a crash leaves either the
    /// old file or the new one, never a torn one.
    /// </summary>
    public static void Store(string path, IEnumerable<KeyValuePair<string, string>> properties, string? comment = null)
    {
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using (var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true))
            {
                Write(writer, properties, comment);
            }
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    private static bool IsBlank(char c) => c is ' ' or '\t' or '\f';

    /// <summary>Yields logical lines: comments and blank lines dropped, continuations joined, leading blanks removed.</summary>
    private static IEnumerable<string> LogicalLines(string text)
    {
        var natural = SplitNaturalLines(text);
        var logical = new StringBuilder();
        var continuing = false;
        foreach (var raw in natural)
        {
            var start = 0;
            while (start < raw.Length && IsBlank(raw[start]))
            {
                start++;
            }
            if (!continuing)
            {
                if (start == raw.Length || raw[start] is '#' or '!')
                {
                    continue;
                }
            }

            var trailingBackslashes = 0;
            for (var i = raw.Length - 1; i >= start && raw[i] == '\\'; i--)
            {
                trailingBackslashes++;
            }
            continuing = trailingBackslashes % 2 == 1;
            var end = continuing ? raw.Length - 1 : raw.Length;
            logical.Append(raw, start, end - start);
            if (!continuing)
            {
                yield return logical.ToString();
                logical.Clear();
            }
        }
        // A continuation backslash on the last line of the file joins nothing.
        if (continuing && logical.Length > 0)
        {
            yield return logical.ToString();
        }
    }

    private static List<string> SplitNaturalLines(string text)
    {
        var lines = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is '\n' or '\r')
            {
                lines.Add(text[start..i]);
                if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }
                start = i + 1;
            }
        }
        if (start < text.Length)
        {
            lines.Add(text[start..]);
        }
        return lines;
    }

    /// <summary>Splits a logical line (leading blanks already gone) into its unescaped key and value.</summary>
    private static (string Key, string Value) SplitLine(string line)
    {
        var keyEnd = 0;
        var valueStart = line.Length;
        var hasSeparator = false;
        var precedingBackslash = false;
        for (; keyEnd < line.Length; keyEnd++)
        {
            var c = line[keyEnd];
            if (precedingBackslash)
            {
                precedingBackslash = false;
                continue;
            }
            if (c == '\\')
            {
                precedingBackslash = true;
                continue;
            }
            if (c is '=' or ':')
            {
                hasSeparator = true;
                valueStart = keyEnd + 1;
                break;
            }
            if (IsBlank(c))
            {
                valueStart = keyEnd + 1;
                break;
            }
        }
        if (keyEnd == line.Length)
        {
            valueStart = line.Length;
        }
        while (valueStart < line.Length)
        {
            var c = line[valueStart];
            if (IsBlank(c))
            {
                valueStart++;
            }
            else if (!hasSeparator && c is '=' or ':')
            {
                hasSeparator = true;
                valueStart++;
            }
            else
            {
                break;
            }
        }
        return (Unescape(line.AsSpan(0, keyEnd)), Unescape(line.AsSpan(valueStart)));
    }

    private static string Unescape(ReadOnlySpan<char> s)
    {
        if (s.IndexOf('\\') < 0)
        {
            return s.ToString();
        }
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            if (++i == s.Length)
            {
                break; // a lone trailing backslash stands for nothing
            }
            c = s[i];
            switch (c)
            {
                case 't': sb.Append('\t'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 'f': sb.Append('\f'); break;
                case 'u':
                    if (i + 4 >= s.Length
                        || !ushort.TryParse(s.Slice(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        throw new FormatException("Malformed \\uxxxx encoding.");
                    }
                    sb.Append((char)code);
                    i += 4;
                    break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    private static string Escape(string s, bool isKey)
    {
        var sb = new StringBuilder(s.Length + 8);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                // A space is escaped everywhere in a key, but only leading in a value (where
                // the reader would otherwise drop it as the blank after the separator).
                case ' ':
                    sb.Append(isKey || i == 0 ? "\\ " : " ");
                    break;
                case '\t': sb.Append("\\t"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\f': sb.Append("\\f"); break;
                case '\\': sb.Append("\\\\"); break;
                case '=' or ':' or '#' or '!':
                    sb.Append('\\').Append(c);
                    break;
                default:
                    if (c < 0x20 || c > 0x7e)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        return sb.ToString();
    }
}
