namespace SolProfiler.Demo;

/// <summary>
/// The background load's target batch over time: a geometric triangle wave MinBatch → MaxBatch → MinBatch over one
/// period (so each doubling of the batch gets the same time, and small batches are not skipped), or a fixed batch.
/// </summary>
internal static class LoadCycle
{
    public static int Target(DemoOptions options, double elapsedSeconds)
    {
        if (!options.BackgroundLoad)
        {
            return 0;
        }

        if (options.FixedBatch is { } fixedBatch)
        {
            return fixedBatch;
        }

        var period = options.CyclePeriod.TotalSeconds;
        var phase = (elapsedSeconds / period) - Math.Floor(elapsedSeconds / period);
        var triangle = phase < 0.5 ? 2 * phase : 2 * (1 - phase);
        var logMin = Math.Log(options.MinBatch);
        var logMax = Math.Log(options.MaxBatch);
        var target = (int)Math.Round(Math.Exp(logMin + ((logMax - logMin) * triangle)));
        return Math.Clamp(target, options.MinBatch, options.MaxBatch);
    }
}
