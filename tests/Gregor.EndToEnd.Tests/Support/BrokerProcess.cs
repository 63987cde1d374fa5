using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Gregor.EndToEnd.Tests.Support;

/// <summary>
/// A real `gregor server` process on 127.0.0.1 with a free port (the broker binds port 0 and
/// reports the port it got) and a temporary log dir, stopped and cleaned up on dispose.
/// Its output is kept so tests can assert on log lines.
/// </summary>
public sealed partial class BrokerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly bool _ownsLogDir;

    private BrokerProcess(Process process, string logDir, bool ownsLogDir)
    {
        _process = process;
        LogDir = logDir;
        _ownsLogDir = ownsLogDir;
    }

    public string LogDir { get; }

    public int Port { get; private set; }

    public string BootstrapServers => $"127.0.0.1:{Port}";

    public IEnumerable<string> Output => _output;

    public bool HasExited => _process.HasExited;

    /// <summary>The broker's process id (to read /proc/&lt;pid&gt;/status).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Reads a "VmRSS"/"VmHWM"-style line of /proc/&lt;pid&gt;/status, in bytes.</summary>
    public long ReadProcStatusBytes(string key)
    {
        foreach (var line in File.ReadLines($"/proc/{ProcessId}/status"))
        {
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
            {
                var kb = line[(key.Length + 1)..].Trim().Split(' ')[0];
                return long.Parse(kb, System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }
        throw new InvalidOperationException($"{key} not in /proc/{ProcessId}/status");
    }

    /// <summary>Kills the broker with SIGKILL (kill -9) and waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>Sends a signal by name ("STOP", "CONT", "HUP", ...) to the broker process.</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{name} {ProcessId}") { UseShellExecute = false })!;
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{name} {ProcessId} exited {kill.ExitCode}");
        }
    }

    [GeneratedRegex(@"listening on \S+:(\d+)")]
    private static partial Regex ListeningLine();

    /// <summary>
    /// Starts a broker and waits until it listens. Extra "key=value" overrides are applied last;
    /// <paramref name="openFilesLimit"/> ("SOFT:HARD") runs it under `prlimit --nofile`.
    /// </summary>
    public static async Task<BrokerProcess> StartAsync(IEnumerable<string>? overrides = null, string? logDir = null, string? openFilesLimit = null)
    {
        var ownsLogDir = logDir is null;
        logDir ??= Directory.CreateTempSubdirectory("gregor-e2e-").FullName;
        var args = new List<string>
        {
            RepositoryPaths.GregorDll, "server", Path.Combine(RepositoryPaths.Root, "config", "server.properties"),
            "--override", "listeners=PLAINTEXT://127.0.0.1:0",
            "--override", $"log.dirs={logDir}",
        };
        foreach (var o in overrides ?? [])
        {
            args.Add("--override");
            args.Add(o);
        }
        var broker = new BrokerProcess(StartDotnet(args, openFilesLimit), logDir, ownsLogDir);
        broker.CaptureOutput();
        await broker.WaitForPortAsync(TimeSpan.FromSeconds(30));
        return broker;
    }

    /// <summary>
    /// Starts `PROGRAM ARGS` — an installed gregor rather than the build's — in
    /// <paramref name="workingDirectory"/> and waits until it listens. The caller names the log
    /// dir in the arguments; it is removed on dispose.
    /// </summary>
    public static async Task<BrokerProcess> StartProgramAsync(string program, IEnumerable<string> arguments, string workingDirectory, string logDir)
    {
        var broker = new BrokerProcess(StartProcess(program, arguments, workingDirectory), logDir, ownsLogDir: true);
        broker.CaptureOutput();
        await broker.WaitForPortAsync(TimeSpan.FromSeconds(60));
        return broker;
    }

    /// <summary>Runs `gregor ARGS` to completion (for start-up failures); returns exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(IEnumerable<string> arguments, TimeSpan timeout)
    {
        using var process = StartDotnet([RepositoryPaths.GregorDll, .. arguments]);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"gregor {string.Join(' ', arguments)} did not exit within {timeout}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    // A test run started in the background by a non-interactive shell (`cmd &`) inherits SIGINT
    // ignored, and a process that starts with SIGINT ignored keeps ignoring it (the .NET runtime,
    // like the JVM, installs no handler then). env resets it, so the broker sees SIGINT as it would
    // from a terminal, however the tests were started.
    private static readonly string[] DefaultSignals = ["env", "--default-signal=INT"];

    private static Process StartDotnet(IEnumerable<string> arguments, string? openFilesLimit = null) =>
        // prlimit and env set up the process and then execute dotnet in their place, so the process
        // id is the broker's.
        openFilesLimit is null
            ? StartProcess(DefaultSignals[0], [.. DefaultSignals[1..], "dotnet", .. arguments], null)
            : StartProcess("prlimit", [$"--nofile={openFilesLimit}", .. DefaultSignals, "dotnet", .. arguments], null);

    private static Process StartProcess(string program, IEnumerable<string> arguments, string? workingDirectory)
    {
        var info = new ProcessStartInfo(program)
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
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
    }

    private void CaptureOutput()
    {
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _output.Enqueue(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _output.Enqueue(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private async Task WaitForPortAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var line in _output)
            {
                var match = ListeningLine().Match(line);
                if (match.Success)
                {
                    Port = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                    return;
                }
            }
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"broker exited with {_process.ExitCode}:\n{string.Join('\n', _output)}");
            }
            await Task.Delay(50);
        }
        throw new TimeoutException("broker did not start listening:\n" + string.Join('\n', _output));
    }

    /// <summary>Waits until a line matching <paramref name="pattern"/> has been printed.</summary>
    public async Task<string> WaitForOutputAsync(string pattern, TimeSpan timeout)
    {
        var regex = new Regex(pattern);
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var line = _output.FirstOrDefault(regex.IsMatch);
            if (line is not null)
            {
                return line;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"no output line matched /{pattern}/:\n" + string.Join('\n', _output));
    }

    /// <summary>Sends SIGTERM (or <paramref name="signal"/>, as kill(1) names it) and waits for the process to exit; returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout, string signal = "TERM")
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill!.WaitForExitAsync();
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                throw new TimeoutException($"broker did not stop on SIG{signal}");
            }
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        if (_ownsLogDir)
        {
            try
            {
                Directory.Delete(LogDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
