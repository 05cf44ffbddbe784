using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Serving.Adapters;

/// <summary>
/// NVIDIA NIM for LLMs (1.x): vLLM v0's families without the <c>vllm:</c> prefix, labelled <c>model_name</c>.
/// Recognised only when both bare <c>num_requests_running</c> and <c>gpu_cache_usage_perc</c> are present.
/// </summary>
public sealed class NimAdapter : IServingAdapter
{
    internal static readonly string[] Signature =
    [
        "num_requests_running",
        "num_requests_waiting",
        "num_request_max",
        "gpu_cache_usage_perc",
        "prompt_tokens_total",
        "generation_tokens_total",
        "time_to_first_token_seconds_count",
        "time_per_output_token_seconds_count",
        "e2e_request_latency_seconds_count",
        "request_prompt_tokens_count",
        "request_generation_tokens_count",
        "request_finish_total",
        "request_success_total",
        "request_failure_total",
    ];

    private static readonly LatencySource[] InterToken =
    [
        new("time_per_output_token_seconds", "time_per_output_token_seconds: per engine step (vLLM v0 semantics, published by NIM without the vllm: prefix)"),
    ];

    public ServerKind Kind => ServerKind.Nim;

    public int Score(ExpositionDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return document.Contains("num_requests_running") && document.Contains("gpu_cache_usage_perc")
            ? DocumentReading.CountPresent(document, Signature)
            : 0;
    }

    public IReadOnlyList<ServingSample> Read(ExpositionDocument document, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(document);
        return VllmFamily.Read(document, timestamp, Kind, string.Empty, "vLLM v0 names without prefix", InterToken, ["gpu_cache_usage_perc"]);
    }
}
