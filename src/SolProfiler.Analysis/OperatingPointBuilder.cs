using SolProfiler.Analysis.Windows;
using SolProfiler.Telemetry.Statistics;

namespace SolProfiler.Analysis;

/// <summary>The window's serving and GPU rates, joined into one operating point; or why there is none.</summary>
public readonly record struct WindowMeasurement(OperatingPoint Point, string? InvalidReason)
{
    public bool Valid => InvalidReason is null;
}

/// <summary>
/// Joins the window's per-engine serving rates and per-GPU rates into an <see cref="OperatingPoint"/>. Pure: the
/// arithmetic of DESIGN section 4 and nothing else.
/// </summary>
public static class OperatingPointBuilder
{
    /// <summary>The mean context assumed when no signal of the server gives it (the agent's <c>--context</c> default).</summary>
    public const double DefaultContextTokens = 1024;

    public static WindowMeasurement Build(
        DateTimeOffset start,
        DateTimeOffset end,
        IReadOnlyList<ServingRates> serving,
        IReadOnlyList<GpuRates> gpus,
        int gpusPerReplica,
        double hbmBandwidthBytesPerSecond,
        double minTokenObservations,
        double defaultContextTokens = DefaultContextTokens)
    {
        ArgumentNullException.ThrowIfNull(serving);
        ArgumentNullException.ThrowIfNull(gpus);
        var gpuPart = GpuPart(gpus, hbmBandwidthBytesPerSecond);
        var point = gpuPart with
        {
            WindowStart = start,
            WindowEnd = end,
            ServingScrapes = serving.Count == 0 ? 0 : serving.Max(s => s.Samples),
            CounterResets = serving.Sum(s => s.CounterResets),
        };

        if (serving.Count == 0)
        {
            return new(point, "no serving samples in the window");
        }

        var tokensPerSecond = serving.Sum(s => s.GenerationTokensPerSecond ?? 0);
        point = point with { TokensPerSecond = serving.Any(s => s.GenerationTokensPerSecond is not null) ? tokensPerSecond : null };
        if (serving.All(s => s.Samples < 2))
        {
            return new(point, "fewer than two serving scrapes in the window");
        }

        var estimates = new List<EngineEstimate>(serving.Count);
        string? firstReason = null;
        foreach (var engine in serving)
        {
            var (estimate, reason) = EngineEstimate.For(engine, minTokenObservations, defaultContextTokens);
            if (estimate is not null)
            {
                estimates.Add(estimate);
            }
            else
            {
                firstReason ??= reason;
            }
        }

        if (estimates.Count == 0)
        {
            return new(point, firstReason);
        }

        // Engines are replicas: the step is weighted by how often each was observed, the rest is per replica on average.
        var weight = estimates.Sum(e => e.StepObservations);
        var step = estimates.Sum(e => e.StepSeconds * e.StepObservations) / weight;
        var emitted = estimates.Sum(e => e.EmittedTokensPerStep * e.StepObservations) / weight;
        var decodedPerSecond = estimates.Sum(e => e.TokensPerSecond);
        var replicas = estimates.Count;
        var first = estimates[0];
        point = point with
        {
            Batch = estimates.Average(e => e.Batch),
            BatchSource = first.BatchSource,
            ContextTokens = estimates.Average(e => e.ContextTokens),
            ContextSource = first.ContextSource,
            PrefillTokensPerStep = estimates.Average(e => e.PrefillTokensPerStep),
            PrefillSource = first.PrefillSource,
            DraftTokensPerStep = estimates.Sum(e => e.DraftTokensPerStep * e.StepObservations) / weight,
            EmittedTokensPerStep = emitted,
            SpeculationSource = first.SpeculationSource,
            MeasuredStepSeconds = step,
            StepSource = first.StepSource,
            InterTokenObservations = weight,
            TokensPerSecond = decodedPerSecond,
            TokensPerSecondPerUser = emitted / step,
            TokensPerSecondPerGpu = decodedPerSecond / (replicas * gpusPerReplica),
            JoulesPerToken = point.PowerWatts is { } watts && decodedPerSecond > 0 ? watts / decodedPerSecond : null,
            Replicas = replicas,
            EstimateWarnings = estimates.SelectMany(e => e.Warnings).Distinct(StringComparer.Ordinal).ToArray(),
        };

        return new(point, null);
    }

    private static OperatingPoint GpuPart(IReadOnlyList<GpuRates> gpus, double bandwidth)
    {
        double? Mean(Func<GpuRates, double?> f) => FiniteMean.Of(gpus, f);

        var powers = gpus.Where(g => g.PowerWatts is not null).Select(g => g.PowerWatts!.Value).ToArray();
        var dram = Mean(g => g.DramActiveRatio);
        return new OperatingPoint
        {
            WindowStart = default,
            WindowEnd = default,
            PowerWatts = powers.Length > 0 ? powers.Sum() : null,
            HbmBytesPerSecondPerGpu = dram * bandwidth,
            NvlinkBytesPerSecondPerGpu = Mean(g => g.NvlinkTxBytesPerSecond),
            BusyRatio = Mean(g => g.GraphicsActiveRatio),
            SmActiveRatio = Mean(g => g.SmActiveRatio),
            DramActiveRatio = dram,
            TensorActiveRatio = Mean(g => g.TensorActiveRatio),
            ThrottledRatio = Mean(g => g.ThrottledRatio),
            Gpus = gpus.Count,
            GpuReads = gpus.Count == 0 ? 0 : gpus.Max(g => g.Reads),
        };
    }
}
