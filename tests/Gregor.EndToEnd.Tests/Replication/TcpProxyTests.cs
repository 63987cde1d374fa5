using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Replication;

/// <summary>The proxy of the fault scenarios against an echo server: forwarding, cuts by client id, pause and heal.</summary>
public sealed class TcpProxyTests : IAsyncLifetime
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);
    private readonly TcpListener _echo = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private TcpProxy? _proxy;

    private TcpProxy Proxy => _proxy!;

    public Task InitializeAsync()
    {
        _echo.Start();
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _echo.AcceptSocketAsync(_stop.Token);
                _ = Task.Run(async () =>
                {
                    using var s = socket;
                    var buffer = new byte[4096];
                    int n;
                    while ((n = await s.ReceiveAsync(buffer)) > 0)
                    {
                        await s.SendAsync(buffer.AsMemory(0, n));
                    }
                });
            }
        });
        _proxy = new TcpProxy { TargetPort = ((IPEndPoint)_echo.LocalEndpoint).Port };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _echo.Stop();
        await Proxy.DisposeAsync();
    }

    [Fact]
    public async Task Forwards_until_cut_for_a_client_id_and_again_after_heal_also_when_delayed()
    {
        using var broker = await ConnectAsync("broker-2-fetcher-0");
        using var client = await ConnectAsync("workload-producer");
        await AssertEchoesAsync(broker, "a");

        Proxy.Cut(id => !id.StartsWith("workload-", StringComparison.Ordinal));
        await AssertClosedAsync(broker);
        await AssertEchoesAsync(client, "still");
        using (var refused = await ConnectAsync("broker-2-fetcher-0"))
        {
            await AssertClosedAsync(refused);
        }

        Proxy.Heal();
        using var again = await ConnectAsync("broker-2-fetcher-0");
        await AssertEchoesAsync(again, "back");
        Proxy.Delay(TimeSpan.FromMilliseconds(100));
        await AssertEchoesAsync(again, "delayed");
    }

    [Fact]
    public async Task A_full_cut_closes_everything_and_a_pause_holds_bytes_until_healed()
    {
        using var client = await ConnectAsync("workload-consumer");
        await AssertEchoesAsync(client, "before");
        Proxy.Pause();
        var echoed = AssertEchoesAsync(client, "held");
        Assert.NotSame(echoed, await Task.WhenAny(echoed, Task.Delay(500)));
        Proxy.Heal();
        await echoed.WaitAsync(Generous);

        Proxy.Cut();
        await AssertClosedAsync(client);
    }

    /// <summary>Connects through the proxy and sends a request header naming <paramref name="clientId"/>; reads its echo.</summary>
    private async Task<Socket> ConnectAsync(string clientId)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, Proxy.Port);
        var id = Encoding.UTF8.GetBytes(clientId);
        var frame = new byte[4 + 10 + id.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, frame.Length - 4);
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(12), (short)id.Length);
        id.CopyTo(frame, 14);
        await socket.SendAsync(frame);
        return socket;
    }

    /// <summary>Reads until the connection ends (closed or reset).</summary>
    private static async Task AssertClosedAsync(Socket socket)
    {
        var buffer = new byte[4096];
        try
        {
            while (await socket.ReceiveAsync(buffer).WaitAsync(Generous) > 0)
            {
            }
        }
        catch (SocketException)
        {
        }
    }

    private static async Task AssertEchoesAsync(Socket socket, string text)
    {
        // Whatever the proxy forwarded so far comes back first: read until the text is there.
        await socket.SendAsync(Encoding.ASCII.GetBytes(text));
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (!received.ToString().EndsWith(text, StringComparison.Ordinal))
        {
            var n = await socket.ReceiveAsync(buffer).WaitAsync(Generous);
            Assert.True(n > 0, $"closed before \"{text}\" came back");
            received.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }
    }
}
