using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Serving.Adapters;

/// <summary>
/// SGLang (<c>--enable-metrics</c>): <c>sglang:</c> names. Tokenizer-side metrics (tokens, TTFT, ITL, e2e) carry only
/// <c>model_name</c> and land on engine "0"; scheduler gauges are kept apart by <c>dp_rank</c>, else <c>tp_rank</c>.
/// Reads both the current names and the 0.4-era ones (<c>time_per_output_token_seconds</c>).
/// </summary>
public sealed class SglangAdapter() : SignatureAdapter(ServerKind.Sglang, Signature)
{
    private const string Prefix = "sglang:";

    internal static readonly string[] Signature =
    [
        "sglang:num_running_reqs",
        "sglang:num_queue_reqs",
        "sglang:num_used_tokens",
        "sglang:max_total_num_tokens",
        "sglang:token_usage",
        "sglang:gen_throughput",
        "sglang:cache_hit_rate",
        "sglang:prompt_tokens_total",
        "sglang:generation_tokens_total",
        "sglang:time_to_first_token_seconds_count",
        "sglang:inter_token_latency_seconds_count",
        "sglang:time_per_output_token_seconds_count",
        "sglang:e2e_request_latency_seconds_count",
        "sglang:func_latency_seconds_count",
        "sglang:num_requests_total",
        "sglang:spec_accept_length",
    ];

    private static readonly SeriesKeying Keying = new(["model_name"], ["engine", "dp_rank", "tp_rank", "instance"]);

    public override IReadOnlyList<ServingSample> Read(ExpositionDocument document, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(document);
        var k = Keying;
        var current = document.Contains(Prefix + "inter_token_latency_seconds_count");
        var hint = current ? "current names (inter_token_latency_seconds)"
            : document.Contains(Prefix + "time_per_output_token_seconds_count") ? "0.4-era names (time_per_output_token_seconds)"
            : null;

        var table = new SampleTable(Kind, hint, timestamp)
            .Put(DocumentReading.Gauge(document, Prefix + "num_running_reqs", k), (s, v) => s with { RunningRequests = v })
            .Put(DocumentReading.Gauge(document, Prefix + "num_queue_reqs", k), (s, v) => s with { WaitingRequests = v })
            .Put(DocumentReading.Sum(document, Prefix + "generation_tokens_total", k), (s, v) => s with { GenerationTokensTotal = v })
            .Put(DocumentReading.Sum(document, Prefix + "prompt_tokens_total", k), (s, v) => s with { PromptTokensTotal = v })
            .Put(DocumentReading.Histogram(document, Prefix + "time_to_first_token_seconds", k), (s, h) => s with { TimeToFirstToken = h })
            .Put(DocumentReading.Histogram(document, Prefix + "e2e_request_latency_seconds", k), (s, h) => s with { E2eLatency = h })
            .Put(DocumentReading.Gauge(document, Prefix + "token_usage", k), (s, v) => s with { KvCacheUsageRatio = v })
            .Put(DocumentReading.Gauge(document, Prefix + "max_total_num_tokens", k), (s, v) => s with { KvCacheCapacityTokens = v })

            // SGLang's preemption is a retraction; the per-request histogram's _sum is the cumulative count (moves when requests finish).
            .Put(DocumentReading.Sum(document, Prefix + "num_retractions_sum", k), (s, v) => s with { PreemptionsTotal = v });

        if (current)
        {
            table.Put(
                DocumentReading.Histogram(document, Prefix + "inter_token_latency_seconds", k),
                (s, h) => s with
                {
                    InterTokenLatency = h,
                    InterTokenLatencySource = "sglang:inter_token_latency_seconds: per output token (token-weighted: a gap carrying n tokens adds the gap to _sum and n to _count); per-step time = this x sglang:spec_accept_length",
                });
        }
        else
        {
            table.Put(
                DocumentReading.Histogram(document, Prefix + "time_per_output_token_seconds", k),
                (s, h) => s with
                {
                    InterTokenLatency = h,
                    InterTokenLatencySource = "sglang:time_per_output_token_seconds (0.4-era): per-request time per output token, first token excluded, observed per streamed output; not a per-step time",
                });
        }

        return table.ToSamples();
    }
}
