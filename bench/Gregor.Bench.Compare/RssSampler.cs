namespace Gregor.Bench.Compare;

/// <summary>
/// Watches a process's peak resident set during a run: resets VmHWM at the start and, in case the
/// reset is not allowed, also samples VmRSS every 50 ms; the peak is the larger of the two readings.
/// </summary>
public sealed class RssSampler : IAsyncDisposable
{
    private readonly int _pid;
    private readonly bool _peakReset;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private long _max;

    public RssSampler(int pid)
    {
        _pid = pid;
        _peakReset = ProcStats.TryResetPeak(pid);
        _sampling = Task.Run(SampleAsync);
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            do
            {
                _max = Math.Max(_max, ProcStats.RssBytes(_pid));
            }
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
        }
    }

    /// <summary>Stops sampling and returns the peak RSS in bytes.</summary>
    public async Task<long> PeakAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        var hwm = _peakReset ? ProcStats.PeakRssBytes(_pid) : 0;
        return Math.Max(_max, hwm);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
    }
}
