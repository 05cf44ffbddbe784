using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Serving.Adapters;

/// <summary>
/// vLLM with the V1 engine (0.8+): <c>vllm:</c> names, an <c>engine</c> label per engine core / data-parallel rank.
/// Accepts the 0.9/0.10 names (<c>gpu_cache_usage_perc</c>, <c>time_per_output_token_seconds</c>) where the newer
/// ones are missing.
/// </summary>
/// <remarks>
/// Read in vllm-project/vllm <c>vllm/v1/metrics/stats.py</c> (commit 28ed1fb) and <c>vllm/v1/metrics/loggers.py</c>
/// (commits a6f0308, 005a810), and the AsyncLLM output handler, which makes one <c>IterationStats</c> per batch of engine-core
/// outputs that carries at least one output (so per engine step that emitted a token for some request):
/// <list type="bullet">
/// <item><see cref="ServingSample.EngineStepsTotal"/> = <c>iteration_tokens_total_count</c>: engine steps that emitted at
/// least one token (steps that only advanced a chunked prefill are not counted).</item>
/// <item><see cref="ServingSample.ScheduledTokensTotal"/> = <c>iteration_tokens_total_sum</c>: per such step, the tokens it
/// generated plus the whole prompt (cache hits included) of each request whose first token it produced. It is not the
/// prompt tokens a step computed: a chunked prefill's tokens all land on the step that finishes it, so over a window its
/// increase equals that of <c>prompt_tokens_total</c> + <c>generation_tokens_total</c>.</item>
/// <item><see cref="ServingSample.PromptTokensTotal"/> = <c>prompt_tokens_total</c>: whole prompts, cache hits included,
/// counted when a request's first token is produced. Computed and cached prompt tokens: see
/// <see cref="VllmFamily"/> (<c>prompt_tokens_by_source_total</c>, <c>prompt_tokens_cached_total</c>, prefix-cache hits).</item>
/// <item>Speculative decoding: <c>spec_decode_num_drafts_total</c> (per request per verify step that carried drafts),
/// <c>_num_draft_tokens_total</c>, <c>_num_accepted_tokens_total</c>.</item>
/// <item><see cref="ServingSample.RunningRequests"/> = <c>num_requests_running</c>: the scheduler's running list, which
/// holds requests in chunked prefill as well as decoding ones.</item>
/// <item><c>request_success_total{finished_reason}</c> (finished requests) is not read: <see cref="ServingSample"/> has no
/// field for it.</item>
/// </list>
/// </remarks>
public sealed class VllmAdapter : IServingAdapter
{
    internal const string Prefix = "vllm:";

    /// <summary>Names both engine generations publish.</summary>
    internal static readonly string[] CommonSignature =
    [
        "vllm:num_requests_running",
        "vllm:num_requests_waiting",
        "vllm:prompt_tokens_total",
        "vllm:generation_tokens_total",
        "vllm:num_preemptions_total",
        "vllm:gpu_cache_usage_perc",
        "vllm:time_to_first_token_seconds_count",
        "vllm:time_per_output_token_seconds_count",
        "vllm:e2e_request_latency_seconds_count",
        "vllm:cache_config_info",
    ];

    /// <summary>Names only the V1 engine publishes.</summary>
    internal static readonly string[] V1Signature =
    [
        "vllm:kv_cache_usage_perc",
        "vllm:inter_token_latency_seconds_count",
        "vllm:request_time_per_output_token_seconds_count",
        "vllm:prefix_cache_queries_total",
        "vllm:prefix_cache_hits_total",
        "vllm:gpu_prefix_cache_queries_total",
        "vllm:gpu_prefix_cache_hits_total",
        "vllm:spec_decode_num_drafts_total",
        "vllm:engine_sleep_state",
        "vllm:mm_cache_queries_total",
    ];

    private static readonly LatencySource[] InterToken =
    [
        new("inter_token_latency_seconds", "inter_token_latency_seconds: per engine step that emitted tokens for a running request (one observation per step, not per token)"),
        new("time_per_output_token_seconds", "time_per_output_token_seconds: per engine step (pre-0.11 name of inter_token_latency_seconds, same observations)"),
    ];

    public ServerKind Kind => ServerKind.Vllm;

    public int Score(ExpositionDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return DocumentReading.CountPresent(document, CommonSignature) + DocumentReading.CountPresent(document, V1Signature);
    }

    public IReadOnlyList<ServingSample> Read(ExpositionDocument document, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(document);
        var hint = document.Contains("vllm:inter_token_latency_seconds_count") ? "v1 engine, 0.11+ names"
            : document.Contains("vllm:kv_cache_usage_perc") ? "v1 engine, 0.9/0.10 names"
            : "v1 engine, pre-0.9 names";
        return VllmFamily.Read(document, timestamp, Kind, Prefix, hint, InterToken, ["kv_cache_usage_perc", "gpu_cache_usage_perc"]);
    }
}
