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
            .Put(DocumentReading.Sum(doc, prefix + "spec_decode_num_accepted_tokens_total", k), (s, v) => s with { SpecDecodeAcceptedTokensTotal = v });

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
    /// KV capacity from the cache-config info series: <c>num_gpu_blocks</c> x <c>block_size</c>. The info series is
    /// matched to an engine by its <c>engine</c> (and model) label where it has one, else it applies to every engine.
    /// </summary>
    private static double? CapacityFor(IReadOnlyList<MetricSample> infos, SeriesKey key)
    {
        foreach (var info in infos)
        {
            var engine = info.LabelValue("engine");
            if (engine is not null && !string.Equals(engine, key.Engine, StringComparison.Ordinal))
            {
                continue;
            }

            var model = info.LabelValue("model_name");
            if (model is not null && key.Model is not null && !string.Equals(model, key.Model, StringComparison.Ordinal))
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
