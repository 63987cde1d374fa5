using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Tools;

/// <summary>A broker whose advertised.listeners names a host that does not resolve.</summary>
public sealed class UnreachableAdvertisedBrokerFixture : IAsyncLifetime
{
    public const string AdvertisedAddress = "no-such-host.invalid:9092";

    private BrokerProcess? _broker;

    public BrokerProcess Broker => _broker ?? throw new InvalidOperationException("broker not started");

    public async Task InitializeAsync() => _broker = await BrokerProcess.StartAsync([$"advertised.listeners=PLAINTEXT://{AdvertisedAddress}"]);

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }
}

/// <summary>
/// Every tool, against a broker reachable at its bootstrap address but not at the address it
/// advertises, fails with one line naming the advertised address and exit code 1 — no crash
/// (consumer-groups --list used to segfault after 30 s), no silent wait for its whole timeout.
/// </summary>
public sealed class UnreachableAdvertisedAddressToolTests(UnreachableAdvertisedBrokerFixture fixture) : IClassFixture<UnreachableAdvertisedBrokerFixture>
{
    public static TheoryData<string[]> Invocations() => new()
    {
        new[] { "topics", "--list" },
        new[] { "topics", "--describe" },
        new[] { "topics", "--create", "--topic", "t" },
        new[] { "console-producer", "--topic", "t" },
        new[] { "console-consumer", "--topic", "t", "--from-beginning", "--max-messages", "1" },
        new[] { "consumer-groups", "--list" },
        new[] { "consumer-groups", "--describe", "--all-groups" },
        new[] { "configs", "--describe", "--entity-type", "topics", "--entity-name", "t" },
        new[] { "get-offsets", "--topic", "t" },
        new[] { "delete-records", "--offset-json-file", "OFFSETS" },
        new[] { "producer-perf-test", "--topic", "t", "--num-records", "10", "--record-size", "10", "--throughput", "-1" },
        new[] { "consumer-perf-test", "--topic", "t", "--messages", "10" },
    };

    [Theory]
    [MemberData(nameof(Invocations))]
    public async Task The_tool_fails_in_one_line_naming_the_advertised_address(string[] invocation)
    {
        var offsets = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(offsets, """{"partitions":[{"topic":"t","partition":0,"offset":0}],"version":1}""");
            var arguments = invocation[1..].Select(a => a == "OFFSETS" ? offsets : a).ToArray();
            // GregorTool's process timeout (60 s) bounds the wait; the tools' own connect check takes 10 s at most.
            var result = await GregorTool.RunAsync(fixture.Broker, invocation[0], arguments, standardInput: "a record\n");
            Assert.True(result.ExitCode == 1, result.ToString());
            var error = Assert.Single(GregorTool.Lines(result.StandardError));
            Assert.StartsWith($"gregor {invocation[0]}: error: ", error, StringComparison.Ordinal);
            Assert.Contains(UnreachableAdvertisedBrokerFixture.AdvertisedAddress, error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(offsets);
        }
    }
}
