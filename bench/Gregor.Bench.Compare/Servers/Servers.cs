using System.Globalization;
using System.Text.RegularExpressions;

namespace Gregor.Bench.Compare.Servers;

/// <summary>Starts each server on a free loopback port with a temporary data dir.</summary>
public static partial class Servers
{
    [GeneratedRegex(@"listening on \S+:(\d+)")]
    private static partial Regex GregorListening();

    [GeneratedRegex("Ready to accept connections")]
    private static partial Regex RedisReady();

    [GeneratedRegex("Server is ready")]
    private static partial Regex NatsReady();

    private static string TempDir(string prefix) => Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>
    /// `gregor server` from the Release build, port 0 (the broker reports the port it bound).
    /// Kafka's defaults: acknowledged once in the page cache; fsync left to the OS
    /// (log.flush.interval.messages unset).
    /// </summary>
    public static async Task<(ServerProcess Process, int Port)> StartGregorAsync(string repoRoot, string gregorDll)
    {
        var dir = TempDir("gregor-bench-");
        var process = ServerProcess.Start("dotnet",
        [
            gregorDll, "server", Path.Combine(repoRoot, "config", "server.properties"),
            "--override", "listeners=PLAINTEXT://127.0.0.1:0",
            "--override", $"log.dirs={dir}",
        ], dir);
        var match = await process.WaitForOutputAsync(GregorListening(), TimeSpan.FromSeconds(60));
        return (process, int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>redis-server with the append-only file on; appendfsync is switched per run with CONFIG SET.</summary>
    public static async Task<(ServerProcess Process, int Port)> StartRedisAsync()
    {
        var dir = TempDir("redis-bench-");
        var port = FreePort.Next();
        var process = ServerProcess.Start("redis-server",
        [
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--dir", dir, "--appendonly", "yes", "--appendfsync", "everysec",
            "--save", "", "--daemonize", "no", "--protected-mode", "no",
            "--maxclients", "10000", "--logfile", "",
        ], dir);
        await process.WaitForOutputAsync(RedisReady(), TimeSpan.FromSeconds(30));
        return (process, port);
    }

    /// <summary>nats-server with JetStream; streams use file storage (the server's default fsync policy).</summary>
    public static async Task<(ServerProcess Process, int Port)> StartNatsAsync()
    {
        var dir = TempDir("nats-bench-");
        var port = FreePort.Next();
        var process = ServerProcess.Start("nats-server",
        [
            "-js", "-a", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-sd", dir,
        ], dir);
        await process.WaitForOutputAsync(NatsReady(), TimeSpan.FromSeconds(30));
        return (process, port);
    }
}
