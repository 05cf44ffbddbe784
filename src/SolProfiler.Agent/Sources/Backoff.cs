namespace SolProfiler.Agent.Sources;

/// <summary>
/// How long a sampling loop waits before its next try: the interval while the source is healthy, doubling with
/// each consecutive failure up to a cap, so a dead server is not hammered and a recovered one is seen soon.
/// </summary>
public static class Backoff
{
    public static TimeSpan Delay(TimeSpan interval, int consecutiveFailures, TimeSpan cap)
    {
        if (consecutiveFailures <= 0)
        {
            return interval;
        }

        var factor = Math.Pow(2, Math.Min(consecutiveFailures - 1, 16));
        var delay = TimeSpan.FromTicks((long)Math.Min(interval.Ticks * factor, cap.Ticks));
        return delay < interval ? interval : delay;
    }
}
