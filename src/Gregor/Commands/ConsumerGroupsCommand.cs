using System.CommandLine;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.Tools;

namespace Gregor.Commands;

/// <summary>
/// `gregor consumer-groups`, as kafka-consumer-groups.sh: --list, --describe (offsets and lag;
/// --members; --state), --reset-offsets (refused while the group has members; --dry-run unless
/// --execute), --delete and --delete-offsets. Tables use Kafka's column names.
/// </summary>
public static class ConsumerGroupsCommand
{
    public static Command Create()
    {
        var cluster = new ClusterOptions();
        var list = new Option<bool>("--list") { Description = "List the consumer groups." };
        var describe = new Option<bool>("--describe") { Description = "Describe groups: offsets and lag (default), --members or --state." };
        var reset = new Option<bool>("--reset-offsets") { Description = "Reset a group's committed offsets (the group must have no members)." };
        var delete = new Option<bool>("--delete") { Description = "Delete groups (they must have no members)." };
        var deleteOffsets = new Option<bool>("--delete-offsets") { Description = "Delete a group's committed offsets for --topic." };
        var groups = new Option<string[]>("--group") { Description = "The group id. Repeatable.", Arity = ArgumentArity.ZeroOrMore };
        var allGroups = new Option<bool>("--all-groups") { Description = "Every group." };
        var topics = new Option<string[]>("--topic") { Description = "TOPIC or TOPIC:P,P,... Repeatable.", Arity = ArgumentArity.ZeroOrMore };
        var allTopics = new Option<bool>("--all-topics") { Description = "With --reset-offsets: every topic the group has offsets for." };
        var members = new Option<bool>("--members") { Description = "With --describe: the group's members." };
        var state = new Option<bool>("--state") { Description = "With --describe: the group's state; with --list: a STATE column." };
        var verbose = new Option<bool>("--verbose") { Description = "With --describe --members: each member's assignment. On an unexpected failure, its details." };
        var resets = new ResetOptions();
        var dryRun = new Option<bool>("--dry-run") { Description = "Show the new offsets without committing them (the default)." };
        var execute = new Option<bool>("--execute") { Description = "Commit the new offsets." };

        var command = new Command("consumer-groups", "List, describe, reset and delete consumer groups, like kafka-consumer-groups.sh.")
        {
            list, describe, reset, delete, deleteOffsets, groups, allGroups, topics, allTopics, members, state, verbose, dryRun, execute,
        };
        resets.AddTo(command);
        cluster.AddTo(command);
        ToolAction.Set(command, async (parse, _) =>
        {
            var actions = new[] { list, describe, reset, delete, deleteOffsets }.Where(o => parse.GetValue(o)).ToList();
            if (actions.Count != 1)
            {
                throw new ToolException("exactly one of --list, --describe, --reset-offsets, --delete, --delete-offsets is required");
            }
            var action = actions[0];
            using var session = AdminSession.Connect(cluster.Read(parse));
            if (action == list)
            {
                return await ConsumerGroupsOutput.ListAsync(session, parse.GetValue(state));
            }
            var groupIds = parse.GetValue(allGroups) ? await ConsumerGroupsOutput.GroupIdsAsync(session) : (parse.GetValue(groups) ?? []).ToList();
            if (groupIds.Count == 0 && !parse.GetValue(allGroups))
            {
                throw new ToolException($"{action.Name} needs --group or --all-groups");
            }
            var topicSpecs = parse.GetValue(topics) ?? [];
            if (action == describe)
            {
                var view = parse.GetValue(members) ? ConsumerGroupsOutput.View.Members : parse.GetValue(state) ? ConsumerGroupsOutput.View.State : ConsumerGroupsOutput.View.Offsets;
                return await ConsumerGroupsOutput.DescribeAsync(session, groupIds, view, parse.GetValue(verbose));
            }
            if (action == delete)
            {
                return await DeleteAsync(session, groupIds);
            }
            if (action == deleteOffsets)
            {
                return await DeleteOffsetsAsync(session, Single(groupIds, action), topicSpecs);
            }
            if (parse.GetValue(dryRun) && parse.GetValue(execute))
            {
                throw new ToolException("--dry-run and --execute cannot be given together");
            }
            if (!parse.GetValue(execute) && !parse.GetValue(dryRun))
            {
                Console.Error.WriteLine("WARN: No action will be performed as the --execute option is missing. Add --execute to reset the offsets; showing a dry run.");
            }
            var resetTo = resets.Read(parse);
            var exitCode = 0;
            foreach (var group in groupIds)
            {
                exitCode |= await ResetAsync(session, group, topicSpecs, parse.GetValue(allTopics), resetTo, parse.GetValue(execute));
            }
            return exitCode;
        });
        return command;
    }

    private static string Single(List<string> groups, Option action) =>
        groups.Count == 1 ? groups[0] : throw new ToolException($"{action.Name} takes exactly one --group");

    private static async Task<int> ResetAsync(AdminSession session, string group, string[] topicSpecs, bool allTopics, OffsetReset reset, bool execute)
    {
        var info = await ConsumerGroupInfo.LoadAsync(session, group);
        if (info.HasActiveMembers)
        {
            throw new ToolException($"assignments can only be reset if the group '{group}' is inactive, but the current state is {info.Description!.State} ({info.Description.Members.Count} members)");
        }
        List<TopicPartition> partitions;
        if (allTopics)
        {
            partitions = info.Committed.Select(c => c.TopicPartition).ToList();
        }
        else if (topicSpecs.Length > 0)
        {
            partitions = TopicScope.Resolve(session, topicSpecs);
        }
        else
        {
            throw new ToolException("--reset-offsets needs --topic or --all-topics");
        }
        var committed = info.Committed.ToDictionary(c => c.TopicPartition, c => c.Offset.Value);
        var plan = await reset.PlanAsync(session, partitions, committed);
        var table = new TextTable("GROUP", "TOPIC", "PARTITION", "NEW-OFFSET");
        foreach (var entry in plan.OrderBy(p => p.Key.Topic, StringComparer.Ordinal).ThenBy(p => p.Key.Partition.Value))
        {
            table.Add(group, entry.Key.Topic, entry.Key.Partition.Value.ToString(CultureInfo.InvariantCulture), entry.Value.ToString(CultureInfo.InvariantCulture));
        }
        if (execute && plan.Count > 0)
        {
            try
            {
                await session.Admin.AlterConsumerGroupOffsetsAsync(
                    [new ConsumerGroupTopicPartitionOffsets(group, plan.Select(p => new TopicPartitionOffset(p.Key, p.Value)).ToList())],
                    new AlterConsumerGroupOffsetsOptions { RequestTimeout = ToolTimeouts.Request });
            }
            catch (AlterConsumerGroupOffsetsException e)
            {
                var failed = e.Results.SelectMany(r => r.Partitions).FirstOrDefault(p => p.Error.IsError);
                throw new ToolException($"cannot reset offsets of group '{group}': {KafkaClients.Describe(failed?.Error ?? e.Error)}");
            }
        }
        Console.WriteLine();
        table.WriteTo(Console.Out);
        return 0;
    }

    private static async Task<int> DeleteAsync(AdminSession session, List<string> groups)
    {
        try
        {
            await session.Admin.DeleteGroupsAsync(groups, new DeleteGroupsOptions { RequestTimeout = ToolTimeouts.Request });
        }
        catch (DeleteGroupsException e)
        {
            foreach (var r in e.Results.Where(r => r.Error.IsError))
            {
                Console.Error.WriteLine($"gregor consumer-groups: error: group '{r.Group}' could not be deleted: {GroupError(r.Error)}");
            }
            var deleted = e.Results.Where(r => !r.Error.IsError).Select(r => $"'{r.Group}'").ToList();
            if (deleted.Count > 0)
            {
                Console.WriteLine($"Deletion of requested consumer groups ({string.Join(", ", deleted)}) was successful.");
            }
            return 1;
        }
        Console.WriteLine($"Deletion of requested consumer groups ({string.Join(", ", groups.Select(g => $"'{g}'"))}) was successful.");
        return 0;
    }

    private static string GroupError(Error error) => error.Code switch
    {
        ErrorCode.NonEmptyGroup => "the group is not empty (it has active members)",
        ErrorCode.GroupIdNotFound => "the group does not exist",
        _ => KafkaClients.Describe(error),
    };

    private static async Task<int> DeleteOffsetsAsync(AdminSession session, string group, string[] topicSpecs)
    {
        if (topicSpecs.Length == 0)
        {
            throw new ToolException("--delete-offsets needs --topic");
        }
        var partitions = TopicScope.Resolve(session, topicSpecs);
        List<TopicPartitionOffsetError> results;
        var exitCode = 0;
        try
        {
            var result = await session.Admin.DeleteConsumerGroupOffsetsAsync(group, partitions,
                new DeleteConsumerGroupOffsetsOptions { RequestTimeout = ToolTimeouts.Request });
            results = result.Partitions.Select(p => new TopicPartitionOffsetError(p, Offset.Unset, new Error(ErrorCode.NoError))).ToList();
        }
        catch (DeleteConsumerGroupOffsetsException e)
        {
            if (e.Result.Error.IsError)
            {
                throw new ToolException($"cannot delete offsets of group '{group}': {GroupError(e.Result.Error)}");
            }
            results = e.Result.Partitions;
            exitCode = 1;
        }
        var table = new TextTable("TOPIC", "PARTITION", "STATUS");
        foreach (var r in results.OrderBy(r => r.Topic, StringComparer.Ordinal).ThenBy(r => r.Partition.Value))
        {
            table.Add(r.Topic, r.Partition.Value.ToString(CultureInfo.InvariantCulture), r.Error.IsError ? $"Error: {KafkaClients.Describe(r.Error)}" : "Successful");
        }
        Console.WriteLine(exitCode == 0 ? $"Request succeeded for deleting offsets of group '{group}'." : $"Request for deleting offsets of group '{group}' partly failed.");
        table.WriteTo(Console.Out);
        return exitCode;
    }
}
