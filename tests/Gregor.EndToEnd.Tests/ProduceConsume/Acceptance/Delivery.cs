namespace Gregor.EndToEnd.Tests.ProduceConsume.Acceptance;

/// <summary>
/// Confluent.Kafka runs delivery handlers on its poll thread, which can still be inside the last
/// few when Flush returns; wait for all of them before reading what they recorded.
/// </summary>
internal static class Delivery
{
    public static void WaitForReports(Func<int> reported, int expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (reported() < expected && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(1);
        }
        Assert.Equal(expected, reported());
    }
}
