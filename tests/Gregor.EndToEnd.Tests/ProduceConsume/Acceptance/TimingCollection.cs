namespace Gregor.EndToEnd.Tests.ProduceConsume.Acceptance;

/// <summary>
/// Timing tests run alone, not beside CPU-heavy tests of the same run: they measure the broker's
/// timing, which a test process busy compressing a gigabyte elsewhere would blur.
/// </summary>
[CollectionDefinition(nameof(TimingCollection), DisableParallelization = true)]
public sealed class TimingCollection;
