using System.Text.RegularExpressions;
using Gregor.Broker.Config;

namespace Gregor.Tools;

/// <summary>
/// Client properties as the Java tools take them (a <c>--command-config</c> properties file,
/// repeated <c>k=v</c> options), turned into librdkafka configuration, whose key names are
/// mostly Kafka's own. Java-only keys are translated where librdkafka has an equivalent and
/// dropped (with a warning on stderr) where it has none, so a Java client file keeps working.
/// </summary>
public static partial class ClientProperties
{
    /// <summary>Java client keys with no librdkafka meaning: serializers and JVM-side settings.</summary>
    private static readonly HashSet<string> JavaOnly = new(StringComparer.Ordinal)
    {
        "key.serializer", "value.serializer", "key.deserializer", "value.deserializer",
        "buffer.memory", "interceptor.classes", "metric.reporters", "client.dns.lookup",
        "partitioner.class", "ssl.truststore.type", "ssl.keystore.type", "sasl.login.callback.handler.class",
    };

    /// <summary>Java names whose librdkafka equivalent is spelt differently.</summary>
    private static readonly Dictionary<string, string> Renamed = new(StringComparer.Ordinal)
    {
        ["max.request.size"] = "message.max.bytes",
        ["ssl.truststore.location"] = "ssl.ca.location",
        ["ssl.truststore.certificates"] = "ssl.ca.pem",
        ["ssl.keystore.certificate.chain"] = "ssl.certificate.pem",
        ["ssl.keystore.key"] = "ssl.key.pem",
    };

    [GeneratedRegex("""(username|password)\s*=\s*"((?:[^"\\]|\\.)*)"\s*""")]
    private static partial Regex JaasOption();

    /// <summary>Reads a Java properties file (missing file: a one-line error, not a stack trace).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> LoadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new ToolException($"properties file {path} not found");
        }
        try
        {
            return JavaProperties.Load(path);
        }
        catch (FormatException e)
        {
            throw new ToolException($"{path}: {e.Message}");
        }
    }

    /// <summary>Parses "k=v" items (the value may itself contain '='); <paramref name="option"/> names the source in errors.</summary>
    public static IEnumerable<KeyValuePair<string, string>> ParsePairs(IEnumerable<string> items, string option)
    {
        foreach (var item in items)
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ToolException($"{option} expects KEY=VALUE, got '{item}'");
            }
            yield return new(item[..eq].Trim(), item[(eq + 1)..].Trim());
        }
    }

    /// <summary>
    /// Adds Java-named properties to a librdkafka configuration, translating as described above.
    /// A key librdkafka does not know, or a value it refuses, is a <see cref="ToolException"/>
    /// naming the key and <paramref name="source"/> (the option or file it came from).
    /// </summary>
    public static void AddTo(IDictionary<string, string> config, IEnumerable<KeyValuePair<string, string>> properties, string source)
    {
        foreach (var (key, value) in properties)
        {
            if (JavaOnly.Contains(key))
            {
                Console.Error.WriteLine($"gregor: warning: ignoring Java client property {key} (no librdkafka equivalent)");
            }
            else if (key == "sasl.jaas.config")
            {
                // PLAIN and SCRAM logins carry username/password inside the JAAS line.
                foreach (Match m in JaasOption().Matches(value))
                {
                    config["sasl." + m.Groups[1].Value] = Regex.Unescape(m.Groups[2].Value);
                }
            }
            else
            {
                var name = Renamed.GetValueOrDefault(key, key);
                Check(name, value, source);
                config[name] = value;
            }
        }
    }

    /// <summary>Asks librdkafka whether it takes <paramref name="key"/>=<paramref name="value"/>; Confluent.Kafka's own dotnet.* keys are its business.</summary>
    private static unsafe void Check(string key, string value, string source)
    {
        if (key.StartsWith("dotnet.", StringComparison.Ordinal) || !RdKafka.TryLoad(out _))
        {
            return;
        }
        var conf = RdKafka.ConfNew();
        var error = stackalloc byte[512];
        try
        {
            fixed (byte* k = RdKafka.Utf8(key), v = RdKafka.Utf8(value))
            {
                // RD_KAFKA_CONF_UNKNOWN is -2, RD_KAFKA_CONF_INVALID -1.
                var result = RdKafka.ConfSet(conf, k, v, error, 512);
                if (result == -2)
                {
                    throw new ToolException($"{source}: unknown client property '{key}'");
                }
                if (result != 0)
                {
                    throw new ToolException($"{source}: {System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)error)}");
                }
            }
        }
        finally
        {
            RdKafka.ConfDestroy(conf);
        }
    }
}
