using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Serving.Adapters;

/// <summary>
/// Triton Inference Server with the TensorRT-LLM backend: <c>nv_trt_llm_*</c> gauges (a "which value" label per
/// family, snapshots of the last iteration) and core <c>nv_inference_*</c> counters, one sample per <c>model</c>
/// (ensemble, preprocessing, tensorrt_llm, ...). Triton publishes no inter-token timing.
/// </summary>
/// <remarks>
/// From triton-inference-server/tensorrtllm_backend (commit 0b9d7d5, <c>README.md</c>, the metrics example) and
/// /work/shared/reference/serving-metrics.md §5.2 and its "Checked against the servers' own source" section (the
/// reporter's source is no longer in that repository):
/// <list type="bullet">
/// <item><see cref="ServingSample.RunningRequests"/> = <c>nv_trt_llm_inflight_batcher_metrics{inflight_batcher_specific_metric="generation_requests"}</c>:
/// the requests in their generation (decode) phase in the last iteration. <c>nv_trt_llm_request_metrics{request_type="active"}</c>
/// also counts requests in their context (prefill) phase, so it is not read as the decode batch.</item>
/// <item><see cref="ServingSample.PrefillTokensLastStep"/> = <c>...{inflight_batcher_specific_metric="total_context_tokens"}</c>
/// (the static V1 batcher: <c>nv_trt_llm_v1_metrics{v1_specific_metric="total_context_tokens"}</c>): context tokens of the
/// last iteration, a snapshot at Triton's metrics interval, not a counter.</item>
/// </list>
/// </remarks>
public sealed class TritonTrtLlmAdapter() : SignatureAdapter(ServerKind.TritonTrtLlm, Signature)
{
    internal static readonly string[] Signature =
    [
        "nv_trt_llm_request_metrics",
        "nv_trt_llm_kv_cache_block_metrics",
        "nv_trt_llm_inflight_batcher_metrics",
        "nv_trt_llm_runtime_memory_metrics",
        "nv_trt_llm_general_metrics",
        "nv_trt_llm_v1_metrics",
        "nv_inference_request_success",
        "nv_inference_request_failure",
        "nv_inference_count",
        "nv_inference_exec_count",
        "nv_inference_request_duration_us",
        "nv_inference_queue_duration_us",
        "nv_inference_pending_request_count",
    ];

    private static readonly SeriesKeying Keying = new(["model"], ["engine", "dp_rank", "tp_rank", "instance"]);

    public override IReadOnlyList<ServingSample> Read(ExpositionDocument document, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(document);
        var k = Keying;
        var hint = document.Contains("nv_trt_llm_request_metrics") || document.Contains("nv_trt_llm_kv_cache_block_metrics")
            ? "TensorRT-LLM backend"
            : "Triton core metrics only (no nv_trt_llm_ gauges)";

        Func<MetricSample, bool> Where(string label, string value) => s => s.LabelValue(label) == value;
        Dictionary<SeriesKey, double> Request(string type) =>
            DocumentReading.Gauge(document, "nv_trt_llm_request_metrics", k, Where("request_type", type));
        Dictionary<SeriesKey, double> Batcher(string metric) =>
            DocumentReading.Gauge(document, "nv_trt_llm_inflight_batcher_metrics", k, Where("inflight_batcher_specific_metric", metric));
        Dictionary<SeriesKey, double> Blocks(string type) =>
            DocumentReading.Gauge(document, "nv_trt_llm_kv_cache_block_metrics", k, Where("kv_cache_block_type", type));

        var maxBlocks = Blocks("max");

        // Triton core: cumulative request time (µs) over successful requests gives a mean e2e, without buckets.
        var e2e = DocumentReading.FromCounters(
            DocumentReading.Sum(document, "nv_inference_request_duration_us", k),
            DocumentReading.Sum(document, "nv_inference_request_success", k),
            scale: 1e-6);

        return new SampleTable(Kind, hint, timestamp)
            .Put(Batcher("generation_requests"), (s, v) => s with { RunningRequests = v })
            .Put(
                DocumentReading.Prefer(
                    Batcher("total_context_tokens"),
                    DocumentReading.Gauge(document, "nv_trt_llm_v1_metrics", k, Where("v1_specific_metric", "total_context_tokens"))),
                (s, v) => s with { PrefillTokensLastStep = v })
            .Put(
                DocumentReading.Prefer(Request("waiting"), DocumentReading.Gauge(document, "nv_inference_pending_request_count", k)),
                (s, v) => s with { WaitingRequests = v })
            .Put(
                DocumentReading.Sum(document, "nv_llm_output_token_len_sum", k, Where("response_metric_type", "total_output_tokens")),
                (s, v) => s with { GenerationTokensTotal = v })
            .Put(
                DocumentReading.Sum(document, "nv_llm_input_token_len_sum", k, Where("response_metric_type", "total_input_tokens")),
                (s, v) => s with { PromptTokensTotal = v })
            .Put(DocumentReading.Histogram(document, "nv_inference_first_response_histogram_ms", k, scale: 1e-3), (s, h) => s with { TimeToFirstToken = h })
            .Put(e2e, (s, h) => s with { E2eLatency = h })
            .Put(DocumentReading.Ratio(Blocks("used"), maxBlocks), (s, v) => s with { KvCacheUsageRatio = v })
            .Put(DocumentReading.Product(maxBlocks, Blocks("tokens_per")), (s, v) => s with { KvCacheCapacityTokens = v })
            .ToSamples();
    }
}
