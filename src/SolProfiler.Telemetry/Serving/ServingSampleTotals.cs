using SolProfiler.Telemetry.Statistics;

namespace SolProfiler.Telemetry.Serving;

/// <summary>
/// Sums the engines or data-parallel ranks of one server into one sample (engine "all"): counters, histograms and the
/// running and waiting gauges add up; KV usage is averaged weighted by capacity where known, else plainly; a value
/// stays absent when no engine exposes it.
/// </summary>
public static class ServingSampleTotals
{
    public const string AllEngines = "all";

    public static ServingSample? Sum(IReadOnlyList<ServingSample> engines)
    {
        ArgumentNullException.ThrowIfNull(engines);
        if (engines.Count == 0)
        {
            return null;
        }

        var first = engines[0];
        var models = engines.Select(e => e.Model).Distinct().ToArray();
        return new ServingSample
        {
            Server = first.Server,
            VersionHint = first.VersionHint,
            Model = models.Length == 1 ? models[0] : null,
            Engine = AllEngines,
            Timestamp = engines.Max(e => e.Timestamp),
            RunningRequests = Add(engines, e => e.RunningRequests),
            WaitingRequests = Add(engines, e => e.WaitingRequests),
            GenerationTokensTotal = Add(engines, e => e.GenerationTokensTotal),
            PromptTokensTotal = Add(engines, e => e.PromptTokensTotal),
            InterTokenLatency = HistogramSnapshot.Combine(engines.Select(e => e.InterTokenLatency)),
            InterTokenLatencySource = first.InterTokenLatencySource,
            TimeToFirstToken = HistogramSnapshot.Combine(engines.Select(e => e.TimeToFirstToken)),
            E2eLatency = HistogramSnapshot.Combine(engines.Select(e => e.E2eLatency)),
            KvCacheUsageRatio = KvUsage(engines),
            KvCacheCapacityTokens = Add(engines, e => e.KvCacheCapacityTokens),
            PreemptionsTotal = Add(engines, e => e.PreemptionsTotal),
            SpecDecodeDraftTokensTotal = Add(engines, e => e.SpecDecodeDraftTokensTotal),
            SpecDecodeAcceptedTokensTotal = Add(engines, e => e.SpecDecodeAcceptedTokensTotal),
            SpecDecodeDraftsTotal = Add(engines, e => e.SpecDecodeDraftsTotal),
            SpecDecodeEmittedTokensPerStep = FiniteMean.Of(engines, e => e.SpecDecodeEmittedTokensPerStep),
            EngineStepsTotal = Add(engines, e => e.EngineStepsTotal),
            BatchSequencesTotal = Add(engines, e => e.BatchSequencesTotal),
            ScheduledTokensTotal = Add(engines, e => e.ScheduledTokensTotal),
            PromptTokensComputedTotal = Add(engines, e => e.PromptTokensComputedTotal),
            PrefixCacheHitTokensTotal = Add(engines, e => e.PrefixCacheHitTokensTotal),
            PrefillTokensLastStep = FiniteMean.Of(engines, e => e.PrefillTokensLastStep),
            Slots = engines.Count == 1 ? first.Slots : null,
        };
    }

    private static double? Add(IReadOnlyList<ServingSample> engines, Func<ServingSample, double?> value)
    {
        double? total = null;
        foreach (var e in engines)
        {
            if (value(e) is { } v)
            {
                total = (total ?? 0) + v;
            }
        }

        return total;
    }

    private static double? KvUsage(IReadOnlyList<ServingSample> engines)
    {
        var withUsage = engines.Where(e => e.KvCacheUsageRatio is not null).ToArray();
        if (withUsage.Length == 0)
        {
            return null;
        }

        // Tokens in use over tokens available when every engine tells its capacity; otherwise the plain mean.
        return withUsage.All(e => e.KvCacheCapacityTokens is > 0)
            ? withUsage.Sum(e => e.KvCacheUsageRatio!.Value * e.KvCacheCapacityTokens!.Value) / withUsage.Sum(e => e.KvCacheCapacityTokens!.Value)
            : withUsage.Average(e => e.KvCacheUsageRatio!.Value);
    }
}
