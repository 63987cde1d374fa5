using System.CommandLine;
using Gregor.Storage.Tools;

namespace Gregor.Commands;

/// <summary>
/// <c>gregor dump-log --files A.log[,B.index,…] [--print-data-log] [--index-sanity-check]</c>:
/// prints segment and index files offline (see <see cref="DumpLog"/>), as kafka-dump-log.sh does.
/// </summary>
public static class DumpLogCommand
{
    public static Command Create()
    {
        var files = new Option<string>("--files")
        {
            Description = "Comma-separated .log, .index and .timeindex files to dump",
            Required = true,
        };
        var printDataLog = new Option<bool>("--print-data-log") { Description = "Print every record, not only batch headers" };
        var indexSanityCheck = new Option<bool>("--index-sanity-check") { Description = "For index files, only report whether they are consistent with the log" };
        var command = new Command("dump-log", "Print the batches, records and index entries of segment files");
        command.Options.Add(files);
        command.Options.Add(printDataLog);
        command.Options.Add(indexSanityCheck);
        command.SetAction(result => DumpLog.Run(new DumpLogOptions
        {
            Files = (result.GetValue(files) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            PrintDataLog = result.GetValue(printDataLog),
            IndexSanityCheck = result.GetValue(indexSanityCheck),
        }, result.InvocationConfiguration.Output));
        return command;
    }
}
