using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Gregor.Bench.Compare;

/// <summary>
/// A server the benchmark started: its process (for /proc figures), its output, and a temporary
/// data dir removed when it stops. Stopping sends SIGTERM, then kills after a timeout.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Live = new();
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServerProcess(Process process, string dataDir)
    {
        _process = process;
        DataDir = dataDir;
    }

    public int Pid => _process.Id;

    public string DataDir { get; }

    public bool HasExited => _process.HasExited;

    public string OutputText => string.Join('\n', _output);

    public static ServerProcess Start(string fileName, IEnumerable<string> arguments, string dataDir)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + fileName);
        Live[process.Id] = process;
        var server = new ServerProcess(process, dataDir);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > 2000)
        {
            _output.TryDequeue(out _);
        }
    }

    /// <summary>Waits until an output line matches; returns the match.</summary>
    public async Task<Match> WaitForOutputAsync(Regex pattern, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var line in _output)
            {
                var match = pattern.Match(line);
                if (match.Success)
                {
                    return match;
                }
            }
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"server exited with {_process.ExitCode}:\n{OutputText}");
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"no output matched /{pattern}/ within {timeout}:\n{OutputText}");
    }

    /// <summary>On Ctrl+C: kills the servers this benchmark started (and only those).</summary>
    public static void KillAll()
    {
        foreach (var process in Live.Values)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Live.TryRemove(_process.Id, out _);
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        _process.Dispose();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
