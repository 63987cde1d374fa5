using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Gregor.EndToEnd.Tests.Admin;

/// <summary>Confluent.Kafka helpers shared by the admin tests.</summary>
internal static class AdminClients
{
    public static IAdminClient Create(string bootstrap) =>
        new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();

    public static string NewTopicName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public static async Task CreateTopicAsync(string bootstrap, string topic, int partitions, Dictionary<string, string>? configs = null)
    {
        using var admin = Create(bootstrap);
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1, Configs = configs }]);
    }

    public static async Task ProduceAsync(string bootstrap, string topic, int count)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 0 }).Build();
        for (var i = 0; i < count; i++)
        {
            await producer.ProduceAsync(new TopicPartition(topic, 0), new Message<string, string> { Key = $"k{i}", Value = $"v{i}" });
        }
    }

    public static async Task<Dictionary<string, ConfigEntryResult>> DescribeAsync(string bootstrap, ResourceType type, string name)
    {
        using var admin = Create(bootstrap);
        var results = await admin.DescribeConfigsAsync([new ConfigResource { Type = type, Name = name }], new DescribeConfigsOptions { RequestTimeout = TimeSpan.FromSeconds(20) });
        return Assert.Single(results).Entries;
    }

    /// <summary>Sends one hand-made request and reads its response (for what librdkafka cannot send).</summary>
    public static async Task<TResponse> RoundTripAsync<TRequest, TResponse>(int port, TRequest request, short version)
        where TRequest : Gregor.Protocol.Messages.IKafkaMessage<TRequest>
        where TResponse : Gregor.Protocol.Messages.IKafkaMessage<TResponse>
    {
        using var connection = await Support.RawConnection.ConnectAsync(port);
        await connection.SendAsync(request, version, correlationId: 1);
        var (_, response) = await connection.ReadResponseAsync<TResponse>(version, TimeSpan.FromSeconds(10));
        return response;
    }
}
