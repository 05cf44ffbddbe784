using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Serving.Adapters;

/// <summary>
/// Hugging Face TGI (router, <c>tgi_</c> names, no model label: one model per router, engine "0"). No TTFT histogram,
/// no token counters (token totals are the per-request histograms' sums, moving when requests finish), no KV gauge
/// (proxy: reserved batch tokens / batch token budget).
/// </summary>
/// <remarks>
/// Read in huggingface/text-generation-inference <c>backends/v3/src/backend.rs</c> and <c>backends/v2/src/backend.rs</c>
/// (commit db931fc). The router's batching loop runs prefill and decode as separate forward calls to the shards:
/// <list type="bullet">
/// <item>A decode call (<c>method="decode"</c>) advances the running batch by one token per request and carries no prompt
/// tokens: P = 0 for every step measured by <c>tgi_batch_forward_duration{method="decode"}</c>, the inter-token signal.
/// <see cref="ServingSample.EngineStepsTotal"/> = that histogram's count: successful decode forwards, the same
/// observations.</item>
/// <item>A prefill call (<c>method="prefill"</c>) runs the new requests' prompts as its own forward. Without chunking
/// (the v2 backend, or a model whose shards do not support it) the running batch waits meanwhile; with chunking (v3) the
/// running batch is concatenated into the prefill call, which also produces one token for it. Either way those steps are
/// not decode steps and are not counted in <see cref="ServingSample.EngineStepsTotal"/>, so generated tokens over decode
/// steps slightly exceeds the decode batch under chunking.</item>
/// <item><see cref="ServingSample.RunningRequests"/> = <c>tgi_batch_current_size</c>: the running batch, set at each
/// iteration of the decode loop before a new prefill batch joins it; 0 when idle.</item>
/// </list>
/// </remarks>
public sealed class TgiAdapter() : SignatureAdapter(ServerKind.Tgi, Signature)
{
    internal static readonly string[] Signature =
    [
        "tgi_request_count",
        "tgi_request_success",
        "tgi_queue_size",
        "tgi_batch_current_size",
        "tgi_batch_current_max_tokens",
        "tgi_batch_max_total_tokens",
        "tgi_batch_inference_count",
        "tgi_batch_forward_duration_count",
        "tgi_batch_inference_duration_count",
        "tgi_request_duration_count",
        "tgi_request_queue_duration_count",
        "tgi_request_mean_time_per_token_duration_count",
        "tgi_request_generated_tokens_count",
        "tgi_request_input_length_count",
    ];

    private static readonly SeriesKeying Keying = new([], ["engine", "dp_rank", "tp_rank", "instance"]);

    public override IReadOnlyList<ServingSample> Read(ExpositionDocument document, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(document);
        var k = Keying;
        static bool Decode(MetricSample s) => s.LabelValue("method") == "decode";

        var maxTotal = DocumentReading.Gauge(document, "tgi_batch_max_total_tokens", k);
        var table = new SampleTable(Kind, null, timestamp)
            .Put(DocumentReading.Gauge(document, "tgi_batch_current_size", k), (s, v) => s with { RunningRequests = v })
            .Put(DocumentReading.Gauge(document, "tgi_queue_size", k), (s, v) => s with { WaitingRequests = v })
            .Put(DocumentReading.Sum(document, "tgi_request_generated_tokens_sum", k), (s, v) => s with { GenerationTokensTotal = v })
            .Put(DocumentReading.Sum(document, "tgi_request_input_length_sum", k), (s, v) => s with { PromptTokensTotal = v })
            .Put(DocumentReading.Histogram(document, "tgi_request_duration", k), (s, h) => s with { E2eLatency = h })
            .Put(DocumentReading.Ratio(DocumentReading.Gauge(document, "tgi_batch_current_max_tokens", k), maxTotal), (s, v) => s with { KvCacheUsageRatio = v })
            .Put(maxTotal, (s, v) => s with { KvCacheCapacityTokens = v })
            .Put(DocumentReading.Sum(document, "tgi_batch_forward_duration_count", k, Decode), (s, v) => s with { EngineStepsTotal = v });

        // Preference: the decode forward (model step, shard side), then the router's whole decode step, then the
        // per-request mean (which includes the prefill). Put the least preferred first so better ones overwrite it.
        table
            .Put(
                DocumentReading.Histogram(document, "tgi_request_mean_time_per_token_duration", k),
                (s, h) => s with
                {
                    InterTokenLatency = h,
                    InterTokenLatencySource = "tgi_request_mean_time_per_token_duration: per request, inference time / generated tokens (prefill included)",
                })
            .Put(
                DocumentReading.Histogram(document, "tgi_batch_inference_duration", k, Decode),
                (s, h) => s with
                {
                    InterTokenLatency = h,
                    InterTokenLatencySource = "tgi_batch_inference_duration{method=\"decode\"}: per decode step as seen by the router (forward + sampling + filtering); batch size in tgi_batch_current_size",
                })
            .Put(
                DocumentReading.Histogram(document, "tgi_batch_forward_duration", k, Decode),
                (s, h) => s with
                {
                    InterTokenLatency = h,
                    InterTokenLatencySource = "tgi_batch_forward_duration{method=\"decode\"}: per decode step (model forward of one batch step, shard side); batch size in tgi_batch_current_size",
                });

        return table.ToSamples();
    }
}
