using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Serving.Adapters;

/// <summary>
/// TensorRT-LLM <c>trtllm-serve</c> (<c>/prometheus/metrics</c>): <c>trtllm_</c> names, labelled <c>model_name</c> and
/// <c>engine_type</c>. Older Dynamo workers re-exported them as <c>trtllm:</c> (reference/serving-metrics.md, "Checked
/// against the servers' own source"); the oldest builds publish the same families without a prefix, recognised only
/// where they carry <c>engine_type="trtllm"</c>. No generation-token counter and no per-step timing: the only
/// inter-token signal is the per-request TPOT.
/// </summary>
public sealed class TrtLlmAdapter : IServingAdapter
{
    /// <summary>The prefixes, current first.</summary>
    private static readonly string[] Prefixes = ["trtllm_", "trtllm:"];

    /// <summary>Signature names without the prefix.</summary>
    internal static readonly string[] Signature =
    [
        "request_success_total",
        "e2e_request_latency_seconds_count",
        "time_to_first_token_seconds_count",
        "time_per_output_token_seconds_count",
        "request_queue_time_seconds_count",
        "prompt_tokens_total",
        "prompt_cached_tokens_total",
        "kv_cache_utilization",
        "kv_cache_hit_rate",
        "num_active_requests",
        "server_queue_length",
        "spec_decode_accepted_tokens_total",
        "spec_decode_drafted_tokens_total",
        "request_error_total",
    ];

    private static readonly SeriesKeying Keying = new(["model_name"], ["engine", "dp_rank", "tp_rank", "instance"]);

    public ServerKind Kind => ServerKind.TrtLlm;

    public int Score(ExpositionDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return ResolvePrefix(document) is { } prefix ? Signature.Count(n => document.Contains(prefix + n)) : 0;
    }

    public IReadOnlyList<ServingSample> Read(ExpositionDocument document, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (ResolvePrefix(document) is not { } p)
        {
            return [];
        }

        var k = Keying;
        var hint = p switch
        {
            "" => "unprefixed names (older trtllm-serve)",
            "trtllm:" => "trtllm: names (older Dynamo re-export)",
            _ => null,
        };
        return new SampleTable(Kind, hint, timestamp)
            .Put(DocumentReading.Gauge(document, p + "num_active_requests", k), (s, v) => s with { RunningRequests = v })
            .Put(DocumentReading.Gauge(document, p + "server_queue_length", k), (s, v) => s with { WaitingRequests = v })
            .Put(DocumentReading.Sum(document, p + "prompt_tokens_total", k), (s, v) => s with { PromptTokensTotal = v })
            .Put(DocumentReading.Histogram(document, p + "time_to_first_token_seconds", k), (s, h) => s with { TimeToFirstToken = h })
            .Put(DocumentReading.Histogram(document, p + "e2e_request_latency_seconds", k), (s, h) => s with { E2eLatency = h })
            .Put(
                DocumentReading.Histogram(document, p + "time_per_output_token_seconds", k),
                (s, h) => s with
                {
                    InterTokenLatency = h,
                    InterTokenLatencySource = p + "time_per_output_token_seconds: per-request TPOT = (last token - first token) / (output tokens - 1) from engine timestamps; not per step",
                })
            .Put(DocumentReading.Gauge(document, p + "kv_cache_utilization", k), (s, v) => s with { KvCacheUsageRatio = v })
            .Put(DocumentReading.Sum(document, p + "spec_decode_drafted_tokens_total", k), (s, v) => s with { SpecDecodeDraftTokensTotal = v })
            .Put(DocumentReading.Sum(document, p + "spec_decode_accepted_tokens_total", k), (s, v) => s with { SpecDecodeAcceptedTokensTotal = v })
            .ToSamples();
    }

    /// <summary>
    /// The prefix with the most signature names ("trtllm_" on a tie), "" for an older unprefixed build
    /// (engine_type="trtllm"), else null.
    /// </summary>
    private static string? ResolvePrefix(ExpositionDocument doc)
    {
        string? best = null;
        var bestCount = 0;
        foreach (var prefix in Prefixes)
        {
            var count = Signature.Count(n => doc.Contains(prefix + n));
            if (count > bestCount)
            {
                best = prefix;
                bestCount = count;
            }
        }

        if (best is not null)
        {
            return best;
        }

        foreach (var name in Signature)
        {
            if (doc.Samples(name).Any(s => string.Equals(s.LabelValue("engine_type"), "trtllm", StringComparison.OrdinalIgnoreCase)))
            {
                return string.Empty;
            }
        }

        return null;
    }
}
