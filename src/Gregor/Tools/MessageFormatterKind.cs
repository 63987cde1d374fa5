namespace Gregor.Tools;

/// <summary>kafka-console-consumer.sh's --formatter classes that <see cref="RecordFormatter"/> implements.</summary>
public enum MessageFormatterKind
{
    Default,
    Logging,
    NoOp,
}

public static class MessageFormatters
{
    private const string Package = "org.apache.kafka.tools.consumer.";
    private const string OldPackage = "kafka.tools.";

    /// <summary>
    /// The formatter a class name names: Kafka's current name, its old kafka.tools.* name (with
    /// a warning, as Kafka gives) or the bare class name.
    /// </summary>
    public static MessageFormatterKind Parse(string className)
    {
        var name = className;
        if (name.StartsWith(OldPackage, StringComparison.Ordinal))
        {
            name = name[OldPackage.Length..];
            Console.Error.WriteLine($"gregor console-consumer: warning: {className} is deprecated; use {Package}{name}");
        }
        else if (name.StartsWith(Package, StringComparison.Ordinal))
        {
            name = name[Package.Length..];
        }
        return name switch
        {
            "DefaultMessageFormatter" => MessageFormatterKind.Default,
            "LoggingMessageFormatter" => MessageFormatterKind.Logging,
            "NoOpMessageFormatter" => MessageFormatterKind.NoOp,
            _ => throw new ToolException($"--formatter: unsupported formatter '{className}' (supported: {Package}DefaultMessageFormatter, " +
                $"{Package}LoggingMessageFormatter, {Package}NoOpMessageFormatter)"),
        };
    }
}
