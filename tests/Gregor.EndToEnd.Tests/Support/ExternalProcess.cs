using System.Diagnostics;

namespace Gregor.EndToEnd.Tests.Support;

/// <summary>Runs a client program (kcat, python3, node) to completion with a timeout.</summary>
public static class ExternalProcess
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}";
    }

    /// <summary>Runs the program; <paramref name="environment"/> entries are set on top of this process's environment.</summary>
    public static async Task<Result> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, string? standardInput = null, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
        }
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {timeout}:\n{await stdout}\n{await stderr}");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
