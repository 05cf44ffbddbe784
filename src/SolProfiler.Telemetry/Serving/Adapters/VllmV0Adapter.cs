using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Serving.Adapters;

/// <summary>vLLM with the v0 engine (up to 0.10): <c>vllm:</c> names, no <c>engine</c> label, swapped requests and CPU cache gauges.</summary>
public sealed class VllmV0Adapter : IServingAdapter
{
    /// <summary>Names only the v0 engine publishes.</summary>
    internal static readonly string[] V0Signature =
    [
        "vllm:num_requests_swapped",
        "vllm:cpu_cache_usage_perc",
        "vllm:avg_prompt_throughput_toks_per_s",
        "vllm:avg_generation_throughput_toks_per_s",
        "vllm:gpu_prefix_cache_hit_rate",
        "vllm:cpu_prefix_cache_hit_rate",
        "vllm:spec_decode_draft_acceptance_rate",
        "vllm:spec_decode_efficiency",
        "vllm:spec_decode_num_emitted_tokens_total",
    ];

    private static readonly LatencySource[] InterToken =
    [
        new("time_per_output_token_seconds", "time_per_output_token_seconds: per engine step (v0: time between a request's successive decode steps, one observation per step)"),
    ];

    public ServerKind Kind => ServerKind.VllmV0;

    public int Score(ExpositionDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return DocumentReading.CountPresent(document, VllmAdapter.CommonSignature) + DocumentReading.CountPresent(document, V0Signature);
    }

    public IReadOnlyList<ServingSample> Read(ExpositionDocument document, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(document);
        return VllmFamily.Read(document, timestamp, Kind, VllmAdapter.Prefix, "v0 engine", InterToken, ["gpu_cache_usage_perc"]);
    }
}
