using System.CommandLine;
using Gregor.Commands;
using Gregor.Tools;

var root = new RootCommand("Gregor: a Kafka-compatible event streaming broker.")
{
    ServerCommand.Create(),
    TopicsCommand.Create(),
    ConsoleProducerCommand.Create(),
    ConsoleConsumerCommand.Create(),
    ConsumerGroupsCommand.Create(),
    ConfigsCommand.Create(),
    GetOffsetsCommand.Create(),
    DeleteRecordsCommand.Create(),
    LeaderElectionCommand.Create(),
    ProducerPerfTestCommand.Create(),
    ConsumerPerfTestCommand.Create(),
    DumpLogCommand.Create(),
    ZooKeeperShellCommand.Create(),
};
CommandLineConventions.Apply(root);
// Each long-running command handles SIGINT/SIGTERM itself and stops in its own time (the broker
// closes its logs, a consumer commits); the library's handling would end the process with 130/143
// two seconds after the signal, cutting a clean shutdown short.
var parse = root.Parse(args);
return CommandLineConventions.ReportErrors(parse) ?? await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
