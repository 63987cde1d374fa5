using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Groups;

/// <summary>A broker whose empty groups rebalance at once (group.initial.rebalance.delay.ms=0), so
/// tests do not wait Kafka's default 3 s for a first generation.</summary>
public sealed class GroupBrokerFixture : IAsyncLifetime
{
    private BrokerProcess? _broker;

    public BrokerProcess Broker => _broker ?? throw new InvalidOperationException("broker not started");

    public async Task InitializeAsync() => _broker = await BrokerProcess.StartAsync(["group.initial.rebalance.delay.ms=0"]);

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }
}
