using System.CommandLine;
using Gregor.Commands;

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
    ProducerPerfTestCommand.Create(),
    ConsumerPerfTestCommand.Create(),
    DumpLogCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
