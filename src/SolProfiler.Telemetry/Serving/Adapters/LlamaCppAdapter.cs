using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Serving.Adapters;

/// <summary>
/// llama.cpp <c>llama-server --metrics</c>: <c>llamacpp:</c> names, no labels (one model per process, engine "0").
/// No latency histograms: the inter-token signal is a bucket-less snapshot of two counters, generation seconds
/// (summed over slots) over generated tokens. Only older builds publish a KV usage ratio.
/// </summary>
public sealed class LlamaCppAdapter() : SignatureAdapter(ServerKind.LlamaCpp, Signature)
{
    private const string Prefix = "llamacpp:";

    internal static readonly string[] Signature =
    [
        "llamacpp:prompt_tokens_total",
        "llamacpp:prompt_seconds_total",
        "llamacpp:tokens_predicted_total",
        "llamacpp:tokens_predicted_seconds_total",
        "llamacpp:n_decode_total",
        "llamacpp:n_tokens_max",
        "llamacpp:n_busy_slots_per_decode",
        "llamacpp:prompt_tokens_seconds",
        "llamacpp:predicted_tokens_seconds",
        "llamacpp:requests_processing",
        "llamacpp:requests_deferred",
        "llamacpp:kv_cache_usage_ratio",
        "llamacpp:kv_cache_tokens",
    ];

    private static readonly SeriesKeying Keying = new(["model"], ["engine", "dp_rank", "tp_rank", "instance"]);

    public override IReadOnlyList<ServingSample> Read(ExpositionDocument document, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(document);
        var k = Keying;
        var predicted = DocumentReading.Sum(document, Prefix + "tokens_predicted_total", k);
        var hint = document.Contains(Prefix + "kv_cache_usage_ratio") ? "pre-mid-2025 build (KV metrics)" : null;
        return new SampleTable(Kind, hint, timestamp)
            .Put(DocumentReading.Gauge(document, Prefix + "requests_processing", k), (s, v) => s with { RunningRequests = v })
            .Put(DocumentReading.Gauge(document, Prefix + "requests_deferred", k), (s, v) => s with { WaitingRequests = v })
            .Put(predicted, (s, v) => s with { GenerationTokensTotal = v })
            .Put(DocumentReading.Sum(document, Prefix + "prompt_tokens_total", k), (s, v) => s with { PromptTokensTotal = v })
            .Put(
                DocumentReading.FromCounters(DocumentReading.Sum(document, Prefix + "tokens_predicted_seconds_total", k), predicted),
                (s, h) => s with
                {
                    InterTokenLatency = h,
                    InterTokenLatencySource = "llamacpp:tokens_predicted_seconds_total / llamacpp:tokens_predicted_total: mean generation time per token per slot (counters, no buckets; moves when a slot finishes)",
                })
            .Put(DocumentReading.Gauge(document, Prefix + "kv_cache_usage_ratio", k), (s, v) => s with { KvCacheUsageRatio = v })
            .ToSamples();
    }
}
