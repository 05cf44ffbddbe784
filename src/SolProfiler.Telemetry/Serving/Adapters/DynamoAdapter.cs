using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Serving.Adapters;

/// <summary>
/// NVIDIA Dynamo HTTP frontend: <c>dynamo_frontend_</c> names by default, one sample per <c>model</c>. The model label
/// is lower-cased on request metrics but not on the config gauges, so models are matched case-insensitively and
/// reported lower-cased. No KV usage at the frontend; capacity from the published worker config (total KV blocks x
/// block size).
/// </summary>
/// <remarks>
/// Read in ai-dynamo/dynamo <c>lib/runtime/src/metrics/prometheus_names.rs</c> (commit 04070c7, module
/// <c>frontend_service</c>) and /work/shared/reference/serving-metrics.md ("Checked against the servers' own source"):
/// <list type="bullet">
/// <item>The prefix is <c>dynamo_frontend_</c> unless <c>DYN_METRICS_PREFIX</c> replaces it (NIM), and older builds used
/// <c>nv_llm_http_service_</c>: the prefix is found from the family shape, a name ending in <c>inflight_requests</c> beside
/// frontend-only families with the same prefix (<c>queued_requests</c>, <c>output_tokens_total</c>, the sequence-token
/// and latency histograms), not from a fixed list.</item>
/// <item><c>inflight_requests</c> counts every request going to the engines, and includes <c>queued_requests</c> (those
/// still waiting for their first token, prefill included): <see cref="ServingSample.RunningRequests"/> = inflight -
/// queued, at least 0 (inflight alone where a build has no queued gauge); <see cref="ServingSample.WaitingRequests"/> =
/// queued.</item>
/// <item>The inter-token histogram is observed per streamed chunk and token-weighted (a chunk of n tokens after a gap
/// adds n observations of gap / n), at the HTTP frontend, after the network hop from the worker.</item>
/// </list>
/// </remarks>
public sealed class DynamoAdapter : IServingAdapter
{
    private const string Inflight = "inflight_requests";

    private const string LegacyPrefix = "nv_llm_http_service_";

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

    /// <summary>Families only the frontend publishes: a prefix counts as Dynamo's only beside one of them (worker
    /// <c>dynamo_component_inflight_requests</c> does not).</summary>
    private static readonly string[] FrontendOnly =
    [
        "queued_requests",
        "output_tokens_total",
        "input_sequence_tokens_count",
        "output_sequence_tokens_count",
        "model_total_kv_blocks",
    ];

    private static readonly SeriesKeying Keying = new(["model"], ["engine", "dp_rank", "tp_rank", "instance"], lowerCaseModel: true);

    public ServerKind Kind => ServerKind.Dynamo;

    public int Score(ExpositionDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return ResolvePrefix(document) is { } p ? SignatureCount(document, p) : 0;
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
            "dynamo_frontend_" => null,
            LegacyPrefix => "legacy nv_llm_http_service_ names",
            _ => $"prefix {p} (DYN_METRICS_PREFIX)",
        };
        var inflight = DocumentReading.Gauge(document, p + Inflight, k);
        var queued = DocumentReading.Gauge(document, p + "queued_requests", k);
        return new SampleTable(Kind, hint, timestamp)
            .Put(inflight, (s, v) => s with { RunningRequests = v })
            .Put(DocumentReading.Difference(inflight, queued, clampAtZero: true), (s, v) => s with { RunningRequests = v })
            .Put(queued, (s, v) => s with { WaitingRequests = v })
            .Put(DocumentReading.Sum(document, p + "output_tokens_total", k), (s, v) => s with { GenerationTokensTotal = v })
            .Put(DocumentReading.Sum(document, p + "input_sequence_tokens_sum", k), (s, v) => s with { PromptTokensTotal = v })
            .Put(
                DocumentReading.Histogram(document, p + "inter_token_latency_seconds", k),
                (s, h) => s with
                {
                    InterTokenLatency = h,
                    InterTokenLatencySource = p + "inter_token_latency_seconds: time between streamed chunks at the HTTP frontend, token-weighted (a chunk of n tokens adds n observations of gap/n); network-side, not an engine step",
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

    /// <summary>
    /// The frontend prefix: of the names ending in <c>inflight_requests</c> whose prefix also carries a frontend-only
    /// family, the prefix with the most signature names (the shorter one on a tie); null when there is none.
    /// </summary>
    private static string? ResolvePrefix(ExpositionDocument doc)
    {
        string? best = null;
        var bestCount = 0;
        foreach (var name in doc.SampleNames)
        {
            if (!name.EndsWith(Inflight, StringComparison.Ordinal))
            {
                continue;
            }

            var prefix = name[..^Inflight.Length];
            if (!HasFrontendFamily(doc, prefix))
            {
                continue;
            }

            var count = SignatureCount(doc, prefix);
            if (count > bestCount || (count == bestCount && best is not null && prefix.Length < best.Length))
            {
                best = prefix;
                bestCount = count;
            }
        }

        return best;
    }

    private static bool HasFrontendFamily(ExpositionDocument doc, string prefix)
    {
        foreach (var n in FrontendOnly)
        {
            if (doc.Contains(prefix + n))
            {
                return true;
            }
        }

        return false;
    }

    private static int SignatureCount(ExpositionDocument doc, string prefix)
    {
        var count = 0;
        foreach (var n in Signature)
        {
            if (doc.Contains(prefix + n))
            {
                count++;
            }
        }

        return count;
    }
}
