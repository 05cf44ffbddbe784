using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Serving.Adapters;

/// <summary>
/// NVIDIA Dynamo HTTP frontend: <c>dynamo_frontend_</c> names (legacy <c>nv_llm_http_service_</c>), one sample per
/// <c>model</c>. The model label is lower-cased on request metrics but not on the config gauges, so models are
/// matched case-insensitively and reported lower-cased. No KV usage at the frontend; capacity from the published
/// worker config (total KV blocks x block size).
/// </summary>
public sealed class DynamoAdapter : IServingAdapter
{
    private static readonly string[] Prefixes = ["dynamo_frontend_", "nv_llm_http_service_"];

    /// <summary>Signature names without the prefix.</summary>
    internal static readonly string[] Signature =
    [
        "requests_total",
        "inflight_requests",
        "queued_requests",
        "disconnected_clients",
        "output_tokens_total",
        "time_to_first_token_seconds_count",
        "inter_token_latency_seconds_count",
        "request_duration_seconds_count",
        "input_sequence_tokens_count",
        "output_sequence_tokens_count",
        "model_total_kv_blocks",
        "model_kv_cache_block_size",
        "model_context_length",
    ];

    private static readonly SeriesKeying Keying = new(["model"], ["engine", "dp_rank", "tp_rank", "instance"], lowerCaseModel: true);

    public ServerKind Kind => ServerKind.Dynamo;

    public int Score(ExpositionDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return Prefixes.Max(p => Signature.Count(n => document.Contains(p + n)));
    }

    public IReadOnlyList<ServingSample> Read(ExpositionDocument document, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(document);
        var p = Prefixes.OrderByDescending(x => Signature.Count(n => document.Contains(x + n))).First();
        var k = Keying;
        return new SampleTable(Kind, p == Prefixes[0] ? null : "legacy nv_llm_http_service_ names", timestamp)
            .Put(DocumentReading.Gauge(document, p + "inflight_requests", k), (s, v) => s with { RunningRequests = v })
            .Put(DocumentReading.Gauge(document, p + "queued_requests", k), (s, v) => s with { WaitingRequests = v })
            .Put(DocumentReading.Sum(document, p + "output_tokens_total", k), (s, v) => s with { GenerationTokensTotal = v })
            .Put(DocumentReading.Sum(document, p + "input_sequence_tokens_sum", k), (s, v) => s with { PromptTokensTotal = v })
            .Put(
                DocumentReading.Histogram(document, p + "inter_token_latency_seconds", k),
                (s, h) => s with
                {
                    InterTokenLatency = h,
                    InterTokenLatencySource = p + "inter_token_latency_seconds: time between streamed tokens as seen at the HTTP frontend (per token/chunk, network-side, not an engine step)",
                })
            .Put(DocumentReading.Histogram(document, p + "time_to_first_token_seconds", k), (s, h) => s with { TimeToFirstToken = h })
            .Put(DocumentReading.Histogram(document, p + "request_duration_seconds", k), (s, h) => s with { E2eLatency = h })
            .Fill(
                DocumentReading.Product(
                    DocumentReading.Gauge(document, p + "model_total_kv_blocks", k),
                    DocumentReading.Gauge(document, p + "model_kv_cache_block_size", k)),
                (s, v) => s with { KvCacheCapacityTokens = v })
            .ToSamples();
    }
}
