using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Gregor.Tools;

namespace Gregor.Commands;

/// <summary>
/// `gregor console-consumer --topic T`, as kafka-console-consumer.sh: prints records (format
/// per <see cref="RecordFormatter"/>) until --max-messages, --timeout-ms without a record,
/// Ctrl-C or SIGTERM, then "Processed a total of N messages" on stderr.
/// --include takes a regular expression instead of --topic (<see cref="TopicFilter"/>; internal
/// topics left out) and reads the topics it matches when the consumer starts.
/// With --group it joins that consumer group (subscribe, auto-commit, a final commit on exit).
/// Without one it assigns itself the topic's partitions directly and commits nothing, which
/// reads the same records without creating a throwaway group on the cluster.
/// </summary>
public static class ConsoleConsumerCommand
{
    public static Command Create()
    {
        var cluster = new ClusterOptions();
        var topic = new Option<string?>("--topic") { Description = "The topic to consume." };
        var include = new Option<string?>("--include") { Description = "Instead of --topic: a regular expression; consume the topics it matches at start-up." };
        var whitelist = new Option<string?>("--whitelist") { Description = "The old name of --include (ignored when --include is given)." };
        var formatter = new Option<string>("--formatter")
        {
            Description = "The record formatter: org.apache.kafka.tools.consumer.DefaultMessageFormatter, LoggingMessageFormatter or NoOpMessageFormatter.",
            DefaultValueFactory = _ => "org.apache.kafka.tools.consumer.DefaultMessageFormatter",
        };
        var formatterConfig = new Option<string?>("--formatter-config") { Description = "A properties file of formatter properties (--property takes precedence)." };
        var keyDeserializer = new Option<string?>("--key-deserializer") { Description = "The formatter's key.deserializer, e.g. org.apache.kafka.common.serialization.LongDeserializer." };
        var valueDeserializer = new Option<string?>("--value-deserializer") { Description = "The formatter's value.deserializer." };
        var skipOnError = new Option<bool>("--skip-message-on-error") { Description = "Report a record the formatter cannot print and go on, instead of stopping." };
        var group = new Option<string?>("--group") { Description = "Consume as a member of this consumer group, committing offsets." };
        var fromBeginning = new Option<bool>("--from-beginning") { Description = "Start at the earliest offset when there is no committed one (default: the latest)." };
        var partition = new Option<int?>("--partition") { Description = "Consume only this partition." };
        var offset = new Option<string>("--offset")
        {
            Description = "With --partition: earliest, latest or an offset (default latest).",
            DefaultValueFactory = _ => "latest",
        };
        var maxMessages = new Option<long?>("--max-messages") { Description = "Exit after this many records." };
        var timeoutMs = new Option<int?>("--timeout-ms") { Description = "Exit when no record arrives for this long." };
        var properties = new Option<string[]>("--property")
        {
            Description = "Formatter property KEY=VALUE: print.key, print.value, print.timestamp, print.partition, print.offset, print.headers, key.separator, line.separator, headers.separator, headers.key.separator, null.literal, key.deserializer, value.deserializer, headers.deserializer. Repeatable.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var consumerProperties = new Option<string[]>("--consumer-property")
        {
            Description = "A consumer setting KEY=VALUE. Repeatable.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var consumerConfig = new Option<string?>("--consumer.config") { Description = "A properties file of consumer settings." };
        var isolation = new Option<string>("--isolation-level")
        {
            Description = "read_uncommitted (default) or read_committed.",
            DefaultValueFactory = _ => "read_uncommitted",
        };
        isolation.AcceptOnlyFromAmong("read_uncommitted", "read_committed");

        var command = new Command("console-consumer", "Print a topic's records, like kafka-console-consumer.sh.")
        {
            topic, include, whitelist, group, fromBeginning, partition, offset, maxMessages, timeoutMs, formatter, formatterConfig, properties,
            keyDeserializer, valueDeserializer, skipOnError, consumerProperties, consumerConfig, isolation,
        };
        cluster.AddTo(command);
        ToolAction.Set(command, (parse, cancellationToken) =>
        {
            var groupId = parse.GetValue(group);
            var partitionId = parse.GetValue(partition);
            var topicName = parse.GetValue(topic);
            var pattern = parse.GetValue(include) ?? parse.GetValue(whitelist);
            if ((topicName is null) == (pattern is null))
            {
                throw new ToolException("exactly one of --topic and --include is required");
            }
            if (partitionId is not null && topicName is null)
            {
                throw new ToolException("--partition needs --topic");
            }
            if (parse.GetResult(offset) is { Implicit: false } && partitionId is null)
            {
                throw new ToolException("--offset needs --partition");
            }
            if (groupId is not null && partitionId is not null)
            {
                throw new ToolException("--group and --partition cannot be given together");
            }
            var begin = parse.GetValue(fromBeginning);
            var settings = new List<KeyValuePair<string, string>>
            {
                new("group.id", groupId ?? $"console-consumer-{Random.Shared.Next(100000):D5}"),
                new("enable.auto.commit", groupId is null ? "false" : "true"),
                new("auto.offset.reset", begin ? "earliest" : "latest"),
                new("isolation.level", parse.GetValue(isolation)!),
            };
            var file = parse.GetValue(consumerConfig);
            if (file is not null)
            {
                settings.AddRange(ClientProperties.LoadFile(file));
            }
            settings.AddRange(ClientProperties.ParsePairs(parse.GetValue(consumerProperties) ?? [], "--consumer-property"));
            var formatterProperties = new Dictionary<string, string>(StringComparer.Ordinal);
            if (parse.GetValue(formatterConfig) is { } formatterFile)
            {
                foreach (var (key, value) in ClientProperties.LoadFile(formatterFile))
                {
                    formatterProperties[key] = value;
                }
            }
            if (parse.GetValue(keyDeserializer) is { } keyClass)
            {
                formatterProperties["key.deserializer"] = keyClass;
            }
            if (parse.GetValue(valueDeserializer) is { } valueClass)
            {
                formatterProperties["value.deserializer"] = valueClass;
            }
            foreach (var (key, value) in ClientProperties.ParsePairs(parse.GetValue(properties) ?? [], "--property"))
            {
                formatterProperties[key] = value;
            }
            var options = new ConsoleConsumerOptions(
                topicName is null ? new TopicFilter(pattern!) : null, topicName, groupId is not null, partitionId,
                partitionId is null ? (begin ? Offset.Beginning : Offset.End) : ParseOffset(parse.GetValue(offset)!, begin),
                parse.GetValue(maxMessages), parse.GetValue(timeoutMs),
                new RecordFormatter(formatterProperties, MessageFormatters.Parse(parse.GetValue(formatter)!)), parse.GetValue(skipOnError));
            return Task.FromResult(Run(cluster.Read(parse, settings, "--consumer.config/--consumer-property"), options, cancellationToken));
        });
        return command;
    }

    private sealed record ConsoleConsumerOptions(
        TopicFilter? Include, string? Topic, bool InGroup, int? Partition, Offset StartOffset, long? MaxMessages, int? TimeoutMs, RecordFormatter Formatter,
        bool SkipMessageOnError);

    private static Offset ParseOffset(string text, bool fromBeginning) => text switch
    {
        "earliest" => Offset.Beginning,
        "latest" => fromBeginning ? Offset.Beginning : Offset.End,
        _ when long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) => new Offset(n),
        _ => throw new ToolException($"--offset must be earliest, latest or a non-negative offset, got '{text}'"),
    };

    private static int Run(Dictionary<string, string> config, ConsoleConsumerOptions options, CancellationToken cancellationToken)
    {
        var partitionCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        using (var session = AdminSession.Connect(config))
        {
            if (options.Topic is { } name)
            {
                partitionCounts[name] = session.Topic(name).Partitions.Count;
            }
            else
            {
                foreach (var t in session.Metadata().Topics.Where(t => !t.Error.IsError && options.Include!.Allows(t.Topic, excludeInternal: true)))
                {
                    partitionCounts[t.Topic] = t.Partitions.Count;
                }
                if (partitionCounts.Count == 0)
                {
                    throw new ToolException($"no topic matches --include {options.Include!.Expression}");
                }
            }
        }
        if (options.Partition is { } p && (p < 0 || p >= partitionCounts[options.Topic!]))
        {
            throw new ToolException($"topic '{options.Topic}' has no partition {p} (it has {partitionCounts[options.Topic!]})");
        }
        using var stop = new StopSignal(cancellationToken);
        var errors = new ClientErrors();
        using var consumer = KafkaClients.ConsumerBuilder(config, errors).Build();
        if (options.InGroup)
        {
            consumer.Subscribe(partitionCounts.Keys);
        }
        else if (options.Partition is { } one)
        {
            consumer.Assign([new TopicPartitionOffset(options.Topic!, one, options.StartOffset)]);
        }
        else
        {
            consumer.Assign(partitionCounts.SelectMany(t => Enumerable.Range(0, t.Value).Select(i => new TopicPartitionOffset(t.Key, i, options.StartOffset))));
        }

        long processed = 0;
        var exitCode = 0;
        using var stdout = new BufferedStream(Console.OpenStandardOutput(), 64 * 1024);
        var idle = Stopwatch.StartNew();
        try
        {
            while (!stop.Token.IsCancellationRequested && (options.MaxMessages is not { } max || processed < max))
            {
                if (options.TimeoutMs is { } timeout && idle.ElapsedMilliseconds >= timeout)
                {
                    break;
                }
                ConsumeResult<byte[]?, byte[]?>? record;
                try
                {
                    record = consumer.Consume(TimeSpan.FromMilliseconds(100));
                }
                catch (ConsumeException e) when (!e.Error.IsFatal && e.Error.Code != ErrorCode.TopicAuthorizationFailed)
                {
                    Console.Error.WriteLine($"gregor console-consumer: warning: {KafkaClients.Describe(e.Error)}");
                    continue;
                }
                if (record is null || record.IsPartitionEOF)
                {
                    stdout.Flush();
                    continue;
                }
                processed++;
                idle.Restart();
                try
                {
                    options.Formatter.Write(stdout, record);
                }
                catch (FormatException e) when (options.SkipMessageOnError)
                {
                    stdout.Flush();
                    Console.Error.WriteLine($"gregor console-consumer: skipping the record at {record.Topic}-{record.Partition.Value} offset {record.Offset.Value}: {e.Message}");
                }
                catch (FormatException e)
                {
                    exitCode = ToolAction.Fail("console-consumer", $"cannot print the record at {record.Topic}-{record.Partition.Value} offset {record.Offset.Value}: {e.Message} (--skip-message-on-error goes on)");
                    break;
                }
            }
        }
        catch (ConsumeException e)
        {
            exitCode = ToolAction.Fail("console-consumer", KafkaClients.Describe(e.Error));
        }
        finally
        {
            stdout.Flush();
            if (options.InGroup)
            {
                CommitAndClose(consumer);
            }
        }
        Console.Error.WriteLine($"Processed a total of {processed} messages");
        return exitCode;
    }

    /// <summary>Commits what was printed and leaves the group, so a restart resumes after the last printed record.</summary>
    private static void CommitAndClose(IConsumer<byte[]?, byte[]?> consumer)
    {
        try
        {
            consumer.Commit();
        }
        catch (KafkaException e) when (e.Error.Code == ErrorCode.Local_NoOffset)
        {
        }
        catch (KafkaException e)
        {
            Console.Error.WriteLine($"gregor console-consumer: warning: final commit failed: {KafkaClients.Describe(e.Error)}");
        }
        consumer.Close();
    }
}
