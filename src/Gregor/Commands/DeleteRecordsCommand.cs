using System.CommandLine;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.Tools;

namespace Gregor.Commands;

/// <summary>
/// `gregor delete-records --offset-json-file F`, as kafka-delete-records.sh. The file is Kafka's:
/// <c>{"partitions":[{"topic":"t","partition":0,"offset":3}],"version":1}</c>; records before
/// each offset are deleted (offset -1: up to the high watermark). Prints each partition's new
/// low watermark, or its error (then exit code 1).
/// </summary>
public static class DeleteRecordsCommand
{
    public static Command Create()
    {
        var cluster = new ClusterOptions();
        var file = new Option<string>("--offset-json-file") { Description = "Kafka's delete-records JSON file.", Required = true };
        var command = new Command("delete-records", "Delete records before given offsets, like kafka-delete-records.sh.") { file };
        cluster.AddTo(command);
        ToolAction.Set(command, async (parse, _) =>
        {
            var offsets = ReadOffsets(parse.GetValue(file)!);
            using var session = AdminSession.Connect(cluster.Read(parse));
            CheckPartitionsExist(session, offsets);
            Console.WriteLine("Executing records delete operation");
            List<(string Topic, Partition Partition, Offset Offset, Error? Error)> results;
            var exitCode = 0;
            try
            {
                results = (await session.Admin.DeleteRecordsAsync(offsets, new DeleteRecordsOptions { RequestTimeout = ToolTimeouts.Request }))
                    .Select(r => (r.Topic, r.Partition, r.Offset, (Error?)null)).ToList();
            }
            catch (DeleteRecordsException e)
            {
                results = e.Results.Select(r => (r.Topic, r.Partition, r.Offset, (Error?)r.Error)).ToList();
                exitCode = 1;
            }
            Console.WriteLine("Records delete operation completed:");
            foreach (var r in results)
            {
                Console.WriteLine(r.Error is { IsError: true } error
                    ? $"partition: {r.Topic}-{r.Partition.Value}\terror: {KafkaClients.Describe(error)}"
                    : $"partition: {r.Topic}-{r.Partition.Value}\tlow_watermark: {r.Offset.Value}");
            }
            return exitCode;
        });
        return command;
    }

    /// <summary>
    /// An unknown topic or partition is refused up front: the admin client would otherwise wait
    /// for metadata that never comes.
    /// </summary>
    private static void CheckPartitionsExist(AdminSession session, List<TopicPartitionOffset> offsets)
    {
        foreach (var topic in offsets.GroupBy(o => o.Topic))
        {
            var count = session.Topic(topic.Key).Partitions.Count;
            var missing = topic.FirstOrDefault(o => o.Partition.Value < 0 || o.Partition.Value >= count);
            if (missing is not null)
            {
                throw new ToolException($"partition {missing.Topic}-{missing.Partition.Value} does not exist (topic '{missing.Topic}' has {count} partitions)");
            }
        }
    }

    private static List<TopicPartitionOffset> ReadOffsets(string path)
    {
        if (!File.Exists(path))
        {
            throw new ToolException($"offset JSON file {path} not found");
        }
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var partitions = document.RootElement.GetProperty("partitions").EnumerateArray()
                .Select(p => new TopicPartitionOffset(
                    p.GetProperty("topic").GetString() ?? throw new ToolException($"{path}: a partition has a null topic"),
                    p.GetProperty("partition").GetInt32(),
                    p.GetProperty("offset").GetInt64()))
                .ToList();
            if (partitions.Count == 0)
            {
                throw new ToolException($"{path}: no partitions listed");
            }
            return partitions;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ToolException($"{path}: expected {{\"partitions\":[{{\"topic\":T,\"partition\":P,\"offset\":O}}],\"version\":1}} ({e.Message})");
        }
    }
}
