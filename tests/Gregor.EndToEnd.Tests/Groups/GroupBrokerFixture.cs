using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Groups;

/// <summary>A broker whose empty groups rebalance at once (group.initial.rebalance.delay.ms=0), so
/// tests do not wait Kafka's default 3 s for a first generation, and which accepts session
/// timeouts from 1 s (group.min.session.timeout.ms=1000), so evictions can be tested quickly.</summary>
public sealed class GroupBrokerFixture : IAsyncLifetime
{
    private BrokerProcess? _broker;

    public static readonly string[] Overrides = ["group.initial.rebalance.delay.ms=0", "group.min.session.timeout.ms=1000"];

    public BrokerProcess Broker => _broker ?? throw new InvalidOperationException("broker not started");

    public async Task InitializeAsync() => _broker = await BrokerProcess.StartAsync(Overrides);

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }
}
