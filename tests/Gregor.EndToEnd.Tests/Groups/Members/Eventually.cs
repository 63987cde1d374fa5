namespace Gregor.EndToEnd.Tests.Groups.Members;

/// <summary>Awaits a condition by polling it (never a fixed sleep); fails with a description of the state.</summary>
public static class Eventually
{
    public static async Task<TimeSpan> WaitAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var started = DateTime.UtcNow;
        while (!condition())
        {
            if (DateTime.UtcNow - started > timeout)
            {
                throw new TimeoutException($"condition not met within {timeout}: {describe()}");
            }
            await Task.Delay(20);
        }
        return DateTime.UtcNow - started;
    }
}
