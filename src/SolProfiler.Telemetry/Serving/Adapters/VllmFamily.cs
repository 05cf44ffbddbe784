using System.Globalization;
using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Serving.Adapters;

/// <summary>One candidate source for the inter-token latency: a histogram base name and what it measures.</summary>
internal readonly record struct LatencySource(string BaseName, string Description);

/// <summary>
/// Reads the metric set vLLM introduced and others copied (vLLM V1, vLLM v0, NIM without the <c>vllm:</c> prefix).
/// The caller says which prefix, which histograms may carry the inter-token signal and which gauges the KV usage,
/// in order of preference.
/// </summary>
internal static class VllmFamily
{
    /// <summary>Engines kept apart by these labels, first present wins.</summary>
    public static IReadOnlyList<string> EngineLabels { get; } = ["engine", "dp_rank", "tp_rank", "instance"];

    /// <summary><c>model_name</c>, or Triton's <c>model</c> when the vLLM backend re-exports the names.</summary>
    public static SeriesKeying Keying { get; } = new(["model_name", "model"], EngineLabels);

    public static IReadOnlyList<ServingSample> Read(
        ExpositionDocument doc,
        DateTimeOffset timestamp,
        ServerKind kind,
        string prefix,
        string? versionHint,
        IReadOnlyList<LatencySource> interToken,
        IReadOnlyList<string> kvUsageGauges)
    {
        var k = Keying;
        var table = new SampleTable(kind, versionHint, timestamp)
            .Put(DocumentReading.Gauge(doc, prefix + "num_requests_running", k), (s, v) => s with { RunningRequests = v })
            .Put(DocumentReading.Gauge(doc, prefix + "num_requests_waiting", k), (s, v) => s with { WaitingRequests = v })
            .Put(DocumentReading.Sum(doc, prefix + "generation_tokens_total", k), (s, v) => s with { GenerationTokensTotal = v })
            .Put(DocumentReading.Sum(doc, prefix + "prompt_tokens_total", k), (s, v) => s with { PromptTokensTotal = v })
            .Put(DocumentReading.Histogram(doc, prefix + "time_to_first_token_seconds", k), (s, h) => s with { TimeToFirstToken = h })
            .Put(DocumentReading.Histogram(doc, prefix + "e2e_request_latency_seconds", k), (s, h) => s with { E2eLatency = h })
            .Put(DocumentReading.Sum(doc, prefix + "num_preemptions_total", k), (s, v) => s with { PreemptionsTotal = v })
            .Put(DocumentReading.Sum(doc, prefix + "spec_decode_num_draft_tokens_total", k), (s, v) => s with { SpecDecodeDraftTokensTotal = v })
            .Put(DocumentReading.Sum(doc, prefix + "spec_decode_num_accepted_tokens_total", k), (s, v) => s with { SpecDecodeAcceptedTokensTotal = v })
            .Put(DocumentReading.Sum(doc, prefix + "spec_decode_num_drafts_total", k), (s, v) => s with { SpecDecodeDraftsTotal = v })
            .Put(DocumentReading.Sum(doc, prefix + "iteration_tokens_total_count", k), (s, v) => s with { EngineStepsTotal = v })
            .Put(DocumentReading.Sum(doc, prefix + "iteration_tokens_total_sum", k), (s, v) => s with { ScheduledTokensTotal = v });

        var (computed, cacheHits) = PromptTokenSources(doc, prefix, k);
        table
            .Put(computed, (s, v) => s with { PromptTokensComputedTotal = v })
            .Put(cacheHits, (s, v) => s with { PrefixCacheHitTokensTotal = v });

        // Later candidates first, so that earlier (preferred) ones overwrite them per engine.
        foreach (var source in interToken.Reverse())
        {
            table.Put(
                DocumentReading.Histogram(doc, prefix + source.BaseName, k),
                (s, h) => s with { InterTokenLatency = h, InterTokenLatencySource = prefix + source.Description });
        }

        foreach (var gauge in kvUsageGauges.Reverse())
        {
            table.Put(DocumentReading.Gauge(doc, prefix + gauge, k), (s, v) => s with { KvCacheUsageRatio = v });
        }

        var cacheInfo = doc.Samples(prefix + "cache_config_info");
        if (cacheInfo.Count > 0)
        {
            table.Update((key, s) => CapacityFor(cacheInfo, key) is { } cap ? s with { KvCacheCapacityTokens = cap } : s);
            table.Update((key, s) => VllmCacheConfig.Describe(cacheInfo, key, s));
        }

        return table.ToSamples();
    }

    /// <summary>
    /// Prompt tokens computed and served from cache, by the best source the build publishes. Computed:
    /// <c>prompt_tokens_by_source_total{source="local_compute"}</c>, else <c>prompt_tokens_total</c> -
    /// <c>prompt_tokens_cached_total</c>, else <c>prompt_tokens_total</c> - <c>prefix_cache_hits_total</c> (tokens; the 0.8-era
    /// <c>gpu_prefix_cache_hits_total</c> where the new name is absent). Not computed: <c>prompt_tokens_cached_total</c> (local
    /// and external KV hits), else <c>local_cache_hit</c> + <c>external_kv_transfer</c> by source, else the prefix-cache hits.
    /// The prefix-cache counters are recorded at each scheduling attempt, not once per admitted prompt, so a request
    /// that waits for KV space can be counted more than once: they are only the last resort.
    /// </summary>
    private static (Dictionary<SeriesKey, double> Computed, Dictionary<SeriesKey, double> CacheHits) PromptTokenSources(
        ExpositionDocument doc, string prefix, SeriesKeying k)
    {
        static Func<MetricSample, bool> Source(string value) => s => s.LabelValue("source") == value;
        var bySource = prefix + "prompt_tokens_by_source_total";
        var total = DocumentReading.Sum(doc, prefix + "prompt_tokens_total", k);
        var cachedTotal = DocumentReading.Sum(doc, prefix + "prompt_tokens_cached_total", k);
        var hitsName = DocumentReading.FirstPresent(doc, prefix + "prefix_cache_hits_total", prefix + "gpu_prefix_cache_hits_total");
        var hits = hitsName is null ? [] : DocumentReading.Sum(doc, hitsName, k);

        var computed = DocumentReading.Prefer(
            DocumentReading.Sum(doc, bySource, k, Source("local_compute")),
            DocumentReading.Prefer(DocumentReading.Difference(total, cachedTotal), DocumentReading.Difference(total, hits)));
        var cacheHits = DocumentReading.Prefer(
            cachedTotal,
            DocumentReading.Prefer(
                DocumentReading.Sum(doc, bySource, k, s => s.LabelValue("source") is "local_cache_hit" or "external_kv_transfer"),
                hits));
        return (computed, cacheHits);
    }

    /// <summary>
    /// KV capacity from the cache-config info series: <c>num_gpu_blocks</c> x <c>block_size</c>. The info series is
    /// matched to an engine by its <c>engine</c> (and model) label where it has one, else it applies to every engine.
    /// </summary>
    private static double? CapacityFor(IReadOnlyList<MetricSample> infos, SeriesKey key)
    {
        foreach (var info in infos)
        {
            if (!VllmCacheConfig.Matches(info, key))
            {
                continue;
            }

            if (TryParse(info.LabelValue("num_gpu_blocks"), out var blocks) && TryParse(info.LabelValue("block_size"), out var size))
            {
                return blocks * size;
            }
        }

        return null;
    }

    private static bool TryParse(string? text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value >= 0 && !double.IsInfinity(value);
}
