using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Gregor.EndToEnd.Tests.Support;

namespace Gregor.EndToEnd.Tests.Groups;

/// <summary>Confluent.Kafka's admin client lists and describes groups on a fresh broker.</summary>
public sealed class AdminGroupTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private IAdminClient Admin() => new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fixture.Broker.BootstrapServers }).Build();

    [Fact]
    public async Task Lists_no_groups_on_an_empty_broker()
    {
        using var admin = Admin();
        var result = await admin.ListConsumerGroupsAsync(new ListConsumerGroupsOptions { RequestTimeout = TimeSpan.FromSeconds(20) });
        Assert.Empty(result.Valid);
    }

    [Fact]
    public async Task Describes_an_unknown_group_as_dead()
    {
        using var admin = Admin();
        var result = await admin.DescribeConsumerGroupsAsync(["no-such-group"], new DescribeConsumerGroupsOptions { RequestTimeout = TimeSpan.FromSeconds(20) });
        var group = Assert.Single(result.ConsumerGroupDescriptions);
        Assert.Equal("no-such-group", group.GroupId);
        Assert.Equal(ConsumerGroupState.Dead, group.State);
        Assert.Empty(group.Members);
        Assert.Equal(ErrorCode.NoError, group.Error.Code);
    }

    [Fact]
    public async Task Deleting_an_unknown_group_reports_group_id_not_found()
    {
        using var admin = Admin();
        var e = await Assert.ThrowsAsync<DeleteGroupsException>(() => admin.DeleteGroupsAsync(["no-such-group"], new DeleteGroupsOptions { RequestTimeout = TimeSpan.FromSeconds(20) }));
        Assert.Equal(ErrorCode.GroupIdNotFound, Assert.Single(e.Results).Error.Code);
    }
}
