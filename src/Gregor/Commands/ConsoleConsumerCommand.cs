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
/// With --group it joins that consumer group (subscribe, auto-commit, a final commit on exit).
/// Without one it assigns itself the topic's partitions directly and commits nothing, which
/// reads the same records without creating a throwaway group on the cluster.
/// </summary>
public static class ConsoleConsumerCommand
{
    public static Command Create()
    {
        var cluster = new ClusterOptions();
        var topic = new Option<string>("--topic") { Description = "The topic to consume.", Required = true };
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
            Description = "Output format: print.key, print.value, print.timestamp, print.partition, print.offset, print.headers, key.separator, line.separator, headers.separator, headers.key.separator, null.literal. Repeatable KEY=VALUE.",
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
            topic, group, fromBeginning, partition, offset, maxMessages, timeoutMs, properties, consumerProperties, consumerConfig, isolation,
        };
        cluster.AddTo(command);
        ToolAction.Set(command, (parse, cancellationToken) =>
        {
            var groupId = parse.GetValue(group);
            var partitionId = parse.GetValue(partition);
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
            var options = new ConsoleConsumerOptions(
                parse.GetValue(topic)!, groupId is not null, partitionId,
                partitionId is null ? (begin ? Offset.Beginning : Offset.End) : ParseOffset(parse.GetValue(offset)!, begin),
                parse.GetValue(maxMessages), parse.GetValue(timeoutMs),
                new RecordFormatter(ClientProperties.ParsePairs(parse.GetValue(properties) ?? [], "--property").ToDictionary()));
            return Task.FromResult(Run(cluster.Read(parse, settings, "--consumer.config/--consumer-property"), options, cancellationToken));
        });
        return command;
    }

    private sealed record ConsoleConsumerOptions(
        string Topic, bool InGroup, int? Partition, Offset StartOffset, long? MaxMessages, int? TimeoutMs, RecordFormatter Formatter);

    private static Offset ParseOffset(string text, bool fromBeginning) => text switch
    {
        "earliest" => Offset.Beginning,
        "latest" => fromBeginning ? Offset.Beginning : Offset.End,
        _ when long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) => new Offset(n),
        _ => throw new ToolException($"--offset must be earliest, latest or a non-negative offset, got '{text}'"),
    };

    private static int Run(Dictionary<string, string> config, ConsoleConsumerOptions options, CancellationToken cancellationToken)
    {
        int partitionCount;
        using (var session = AdminSession.Connect(config))
        {
            partitionCount = session.Topic(options.Topic).Partitions.Count;
        }
        if (options.Partition is { } p && (p < 0 || p >= partitionCount))
        {
            throw new ToolException($"topic '{options.Topic}' has no partition {p} (it has {partitionCount})");
        }
        using var stop = new StopSignal(cancellationToken);
        var errors = new ClientErrors();
        using var consumer = KafkaClients.ConsumerBuilder(config, errors).Build();
        if (options.InGroup)
        {
            consumer.Subscribe(options.Topic);
        }
        else
        {
            var partitions = options.Partition is { } one ? [one] : Enumerable.Range(0, partitionCount);
            consumer.Assign(partitions.Select(i => new TopicPartitionOffset(options.Topic, i, options.StartOffset)));
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
                options.Formatter.Write(stdout, record);
                processed++;
                idle.Restart();
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
