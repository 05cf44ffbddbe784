using SolProfiler.Agent.Window;
using SolProfiler.Telemetry.Serving.Rates;
using SolProfiler.Telemetry.Statistics;

namespace SolProfiler.Agent.Analysis;

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
    public static WindowMeasurement Build(
        DateTimeOffset start,
        DateTimeOffset end,
        IReadOnlyList<ServingRates> serving,
        IReadOnlyList<GpuRates> gpus,
        int gpusPerReplica,
        double hbmBandwidthBytesPerSecond,
        double minTokenObservations)
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

        var decoding = serving
            .Where(s => s.MeanInterTokenLatencySeconds is > 0 && s.InterTokenObservations >= minTokenObservations && s.GenerationTokensPerSecond > 0)
            .ToArray();
        var tokensPerSecond = serving.Sum(s => s.GenerationTokensPerSecond ?? 0);
        point = point with { TokensPerSecond = serving.Any(s => s.GenerationTokensPerSecond is not null) ? tokensPerSecond : null };
        if (decoding.Length == 0)
        {
            var observations = serving.Sum(s => s.InterTokenObservations ?? 0);
            return new(point, serving.All(s => s.Samples < 2)
                ? "fewer than two serving scrapes in the window"
                : serving.All(s => s.MeanInterTokenLatencySeconds is null && s.GenerationTokensPerSecond is null)
                    ? "the server exposes no inter-token latency or generation counter"
                    : $"no decode traffic in the window ({observations:0} inter-token observations, {tokensPerSecond:0.#} tokens/s)");
        }

        var weight = decoding.Sum(s => s.InterTokenObservations!.Value);
        var step = decoding.Sum(s => s.MeanInterTokenLatencySeconds!.Value * s.InterTokenObservations!.Value) / weight;
        var batches = decoding.Where(s => s.MeanRunningRequests is not null).Select(s => s.MeanRunningRequests!.Value).ToArray();
        double? batch = batches.Length > 0 ? batches.Average() : null;
        var (context, contextSource) = Context(decoding);
        var replicas = decoding.Length;
        point = point with
        {
            Batch = batch,
            ContextTokens = context,
            ContextSource = contextSource,
            MeasuredStepSeconds = step,
            StepSource = decoding[0].InterTokenLatencySource,
            InterTokenObservations = weight,
            TokensPerSecondPerUser = 1.0 / step,
            TokensPerSecondPerGpu = tokensPerSecond / (replicas * gpusPerReplica),
            JoulesPerToken = point.PowerWatts is { } watts && tokensPerSecond > 0 ? watts / tokensPerSecond : null,
            Replicas = replicas,
        };

        return batch is null or <= 0
            ? new(point, "the server does not expose its running batch (running requests)")
            : new(point, null);
    }

    /// <summary>
    /// Mean context per running sequence: KV-cache usage x capacity / batch where the server gives its capacity;
    /// else the mean prompt plus half the mean output per request, from the token and request counters.
    /// </summary>
    private static (double? Tokens, string? Source) Context(IReadOnlyList<ServingRates> engines)
    {
        var fromKv = engines
            .Where(e => e.MeanKvCacheUsageRatio is not null && e.KvCacheCapacityTokens is > 0 && e.MeanRunningRequests is > 0)
            .Select(e => e.MeanKvCacheUsageRatio!.Value * e.KvCacheCapacityTokens!.Value / e.MeanRunningRequests!.Value)
            .ToArray();
        if (fromKv.Length > 0)
        {
            return (fromKv.Average(), "kv-cache-usage");
        }

        var fromCounters = engines
            .Where(e => e.RequestsFinishedPerSecond is > 0 && e.PromptTokensPerSecond is not null && e.GenerationTokensPerSecond is not null)
            .Select(e => (e.PromptTokensPerSecond!.Value + (e.GenerationTokensPerSecond!.Value / 2)) / e.RequestsFinishedPerSecond!.Value)
            .ToArray();
        return fromCounters.Length > 0 ? (fromCounters.Average(), "token-counters") : (null, null);
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
