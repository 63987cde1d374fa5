using System.Collections.Concurrent;
using System.Diagnostics;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Groups.Members;

/// <summary>
/// A client program from tests/clients running in its own process, its output read line by line
/// while it runs, so a test can watch it and then kill it (SIGKILL: no LeaveGroup, no commit).
/// </summary>
public sealed class MemberProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<string> _errors = new();

    private MemberProcess(Process process) => _process = process;

    public static string ClientsDirectory => Path.Combine(RepositoryPaths.Root, "tests", "clients");

    public IReadOnlyList<string> Lines => [.. _lines];

    public bool HasExited => _process.HasExited;

    public static MemberProcess Start(string fileName, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = ClientsDirectory,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        var member = new MemberProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { member._lines.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { member._errors.Enqueue(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return member;
    }

    /// <summary>The lines starting with <paramref name="prefix"/> + " ", split into their fields.</summary>
    public IEnumerable<string[]> LinesOf(string prefix) =>
        Lines.Where(l => l.StartsWith(prefix + " ", StringComparison.Ordinal) || l == prefix)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray());

    /// <summary>kill -9, and waits until the process is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM (the client closes cleanly), and waits for the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill!.WaitForExitAsync();
        }
        await _process.WaitForExitAsync(new CancellationTokenSource(timeout).Token);
        return _process.ExitCode;
    }

    public override string ToString() => $"stdout:\n{string.Join('\n', _lines.TakeLast(40))}\nstderr:\n{string.Join('\n', _errors.TakeLast(40))}";

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
