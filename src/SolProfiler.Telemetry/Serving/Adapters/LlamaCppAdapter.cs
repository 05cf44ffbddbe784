using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Serving.Adapters;

/// <summary>
/// llama.cpp <c>llama-server --metrics</c>: <c>llamacpp:</c> names, no labels (one model per process, engine "0").
/// No latency histograms and no finished-request counter; only older builds publish a KV usage ratio.
/// </summary>
/// <remarks>
/// Read in ggml-org/llama.cpp <c>tools/server/server-context.cpp</c> (<c>struct server_metrics</c> and the
/// <c>/metrics</c> handler) and checked against real bodies from a llama-server at commit 3f545be (the captures in
/// Fixtures/llamacpp/capture-*.prom). What each field means here:
/// <list type="bullet">
/// <item><see cref="ServingSample.EngineStepsTotal"/> = <c>n_decode_total</c>: <c>llama_decode()</c> calls since start,
/// one per batch the server ran, whether it carried prompt tokens, generated tokens or both (continuous batching mixes
/// them); the HELP of current builds says speculative-draft and multimodal decodes are not counted.</item>
/// <item><see cref="ServingSample.BatchSequencesTotal"/> = <c>n_busy_slots_per_decode</c> x <c>n_decode_total</c>. The
/// server keeps <c>n_busy_slots_total</c> (on each decode call, +1 per slot that is not idle: slots in their prompt
/// phase count too) and publishes only the since-start mean <c>n_busy_slots_total / max(n_decode_total, 1)</c>, as a float
/// printed to about 6 significant digits; the product is rounded to the integer the server holds. The type line says
/// counter in some builds, gauge in others: both are read.</item>
/// <item><see cref="ServingSample.PromptTokensComputedTotal"/> = <c>prompt_tokens_total</c>: prompt tokens evaluated,
/// the cached prefix excluded (HELP: "excluding cached tokens"); <see cref="ServingSample.PrefixCacheHitTokensTotal"/> =
/// <c>prompt_tokens_cached_total</c>; <see cref="ServingSample.PromptTokensTotal"/> = their sum, only where the cached
/// counter exists (older builds publish only the computed count, so the whole prompt is unknown there).</item>
/// <item><see cref="ServingSample.RunningRequests"/> = <c>requests_processing</c>: slots that are not idle, in their
/// prompt phase as well as generating, so it is not purely the decode batch.</item>
/// <item>Speculative decoding: <c>spec_decode_num_draft_tokens_total</c>, <c>_accepted_tokens_total</c>,
/// <c>_drafts_total</c> (verify steps).</item>
/// <item>The inter-token signal is a bucket-less snapshot of <c>tokens_predicted_seconds_total</c> over
/// <c>tokens_predicted_total</c>: each slot adds its generation-phase time and its n generated tokens when it finishes,
/// and that time covers n-1 decode steps (the first token comes from the prompt pass), so seconds / tokens is the step
/// time biased low by a factor (n-1)/n.</item>
/// </list>
/// </remarks>
public sealed class LlamaCppAdapter() : SignatureAdapter(ServerKind.LlamaCpp, Signature)
{
    internal const string InterTokenSource =
        "llamacpp:tokens_predicted_seconds_total / llamacpp:tokens_predicted_total: generation-phase seconds over generated tokens, summed over slots when each finishes (counters, no buckets). "
        + "A request of n tokens adds the time of n-1 decode steps (its first token comes from the prompt pass) but n tokens, so this is biased low by 1/n against the decode step time";

    private const string Prefix = "llamacpp:";

    internal static readonly string[] Signature =
    [
        "llamacpp:prompt_tokens_total",
        "llamacpp:prompt_tokens_cached_total",
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
        "llamacpp:spec_decode_num_draft_tokens_total",
        "llamacpp:spec_decode_num_accepted_tokens_total",
        "llamacpp:spec_decode_num_drafts_total",
        "llamacpp:kv_cache_usage_ratio",
        "llamacpp:kv_cache_tokens",
    ];

    private static readonly SeriesKeying Keying = new(["model"], ["engine", "dp_rank", "tp_rank", "instance"]);

    public override IReadOnlyList<ServingSample> Read(ExpositionDocument document, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(document);
        var k = Keying;
        var predicted = DocumentReading.Sum(document, Prefix + "tokens_predicted_total", k);
        var computed = DocumentReading.Sum(document, Prefix + "prompt_tokens_total", k);
        var cached = DocumentReading.Sum(document, Prefix + "prompt_tokens_cached_total", k);
        var decodes = DocumentReading.Sum(document, Prefix + "n_decode_total", k);

        // The mean busy slots per decode call, whatever its TYPE line says (the parser keys samples by name).
        var busyPerDecode = DocumentReading.Gauge(document, Prefix + "n_busy_slots_per_decode", k);
        var batchSequences = new Dictionary<SeriesKey, double>();
        foreach (var (key, product) in DocumentReading.Product(busyPerDecode, decodes))
        {
            batchSequences[key] = Math.Round(product);
        }

        var hint = document.Contains(Prefix + "kv_cache_usage_ratio") ? "pre-mid-2025 build (KV metrics)" : null;
        return new SampleTable(Kind, hint, timestamp)
            .Put(DocumentReading.Gauge(document, Prefix + "requests_processing", k), (s, v) => s with { RunningRequests = v })
            .Put(DocumentReading.Gauge(document, Prefix + "requests_deferred", k), (s, v) => s with { WaitingRequests = v })
            .Put(predicted, (s, v) => s with { GenerationTokensTotal = v })
            .Put(computed, (s, v) => s with { PromptTokensComputedTotal = v })
            .Put(cached, (s, v) => s with { PrefixCacheHitTokensTotal = v })
            .Put(DocumentReading.Add(computed, cached), (s, v) => s with { PromptTokensTotal = v })
            .Put(decodes, (s, v) => s with { EngineStepsTotal = v })
            .Put(batchSequences, (s, v) => s with { BatchSequencesTotal = v })
            .Put(DocumentReading.Sum(document, Prefix + "spec_decode_num_draft_tokens_total", k), (s, v) => s with { SpecDecodeDraftTokensTotal = v })
            .Put(DocumentReading.Sum(document, Prefix + "spec_decode_num_accepted_tokens_total", k), (s, v) => s with { SpecDecodeAcceptedTokensTotal = v })
            .Put(DocumentReading.Sum(document, Prefix + "spec_decode_num_drafts_total", k), (s, v) => s with { SpecDecodeDraftsTotal = v })
            .Put(
                DocumentReading.FromCounters(DocumentReading.Sum(document, Prefix + "tokens_predicted_seconds_total", k), predicted),
                (s, h) => s with { InterTokenLatency = h, InterTokenLatencySource = InterTokenSource })
            .Put(DocumentReading.Gauge(document, Prefix + "kv_cache_usage_ratio", k), (s, v) => s with { KvCacheUsageRatio = v })
            .ToSamples();
    }
}
