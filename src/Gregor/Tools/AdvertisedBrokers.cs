using System.Net.Sockets;
using Confluent.Kafka;

namespace Gregor.Tools;

/// <summary>
/// Checks that the brokers a cluster lists in its Metadata can be reached at the addresses they
/// advertise. Bootstrap needs only the address the user gave; every later request goes to the
/// advertised host:port, and when that never connects librdkafka waits each request out in
/// silence (30–120 s), then fails with a message that names neither address. A wrong
/// advertised.listeners becomes one line naming the advertised address instead, within the
/// connect timeout.
/// </summary>
public static class AdvertisedBrokers
{
    public static void Check(Metadata metadata, string bootstrap, TimeSpan timeout)
    {
        var given = Given(bootstrap);
        // An advertised address the user bootstrapped through has just answered.
        var unproven = metadata.Brokers.Where(b => !given.Contains(Address(b))).ToList();
        if (unproven.Count == 0)
        {
            return;
        }
        var reasons = Task.WhenAll(unproven.Select(b => ProbeAsync(b, timeout))).GetAwaiter().GetResult();
        var failed = unproven.Zip(reasons).Where(r => r.Second is not null).Select(r => $"broker {r.First.BrokerId} at {Address(r.First)} ({r.Second})").ToList();
        if (failed.Count == 0)
        {
            return;
        }
        var message = $"{bootstrap} answers, but the cluster advertises {string.Join(", ", failed)}, which cannot be reached — check the brokers' advertised.listeners";
        if (failed.Count < metadata.Brokers.Count)
        {
            Console.Error.WriteLine($"gregor: warning: {message}");
            return;
        }
        throw new ToolException(message);
    }

    /// <summary>The host:port addresses of a bootstrap list, compared case-insensitively.</summary>
    public static HashSet<string> Given(string bootstrap) =>
        bootstrap.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);

    private static string Address(BrokerMetadata broker) => $"{broker.Host}:{broker.Port}";

    /// <summary>Null when a TCP connection to the broker's advertised address opens, else why not.</summary>
    private static async Task<string?> ProbeAsync(BrokerMetadata broker, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // WaitAsync bounds the name lookup too, whether or not the resolver honours the token.
            await socket.ConnectAsync(broker.Host, broker.Port, cancel.Token).AsTask().WaitAsync(timeout);
            return null;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain)
        {
            return "host not found";
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode == SocketError.ConnectionRefused ? "connection refused" : e.Message;
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            return $"no answer within {timeout.TotalSeconds:0} s";
        }
    }
}
