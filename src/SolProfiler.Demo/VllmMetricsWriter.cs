using System.Globalization;
using System.Text;

namespace SolProfiler.Demo;

/// <summary>
/// Writes the simulation's state as vLLM V1 (0.11+) writes its <c>/metrics</c>: Prometheus text format 0.0.4, the
/// <c>vllm:</c> names with <c>engine</c> and <c>model_name</c> labels, numbers in Python's float spelling
/// (<c>12.0</c>, <c>1e-05</c> aside), histograms with vLLM's bucket bounds (reference/serving-metrics.md §1.3).
/// </summary>
internal static class VllmMetricsWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Write(DecodeSimulation sim, DemoWorkload workload, string modelName)
    {
        var labels = $"engine=\"0\",model_name=\"{Escape(modelName)}\"";
        var sb = new StringBuilder(8192);
        Gauge(sb, "vllm:num_requests_running", "Number of requests in model execution batches.", labels, sim.Running);
        Gauge(sb, "vllm:num_requests_waiting", "Number of requests waiting to be processed.", labels, sim.Waiting);
        var usage = workload.KvCacheBlocks > 0 ? (double)sim.KvBlocksInUse() / workload.KvCacheBlocks : 0;
        Gauge(sb, "vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", labels, Math.Min(1, usage));
        Counter(sb, "vllm:num_preemptions", "Cumulative number of preemption from the engine.", labels, 0);
        Counter(sb, "vllm:prompt_tokens", "Number of prefill tokens processed.", labels, sim.PromptTokensTotal);
        Counter(sb, "vllm:generation_tokens", "Number of generation tokens processed.", labels, sim.GenerationTokensTotal);
        Counter(sb, "vllm:request_success", "Count of successfully processed requests.", $"engine=\"0\",finished_reason=\"length\",model_name=\"{Escape(modelName)}\"", sim.RequestsFinished);
        Histogram(sb, "vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", labels, sim.Ttft);
        Histogram(sb, "vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", labels, sim.InterTokenLatency);
        Histogram(sb, "vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", labels, sim.E2eLatency);
        Histogram(sb, "vllm:request_time_per_output_token_seconds", "Histogram of time_per_output_token_seconds per request.", labels, sim.RequestTimePerOutputToken);
        Histogram(sb, "vllm:iteration_tokens_total", "Histogram of number of tokens per engine_step.", labels, sim.IterationTokens);
        Counter(sb, "vllm:prefix_cache_queries", "Prefix cache queries, in terms of number of queried tokens.", labels, sim.PrefixCacheQueriesTotal);
        Counter(sb, "vllm:prefix_cache_hits", "Prefix cache hits, in terms of number of cached tokens.", labels, sim.PrefixCacheHitsTotal);
        if (workload.Options.DraftTokens > 0)
        {
            // vLLM publishes the speculative family only when a speculative config is set (v1/spec_decode/metrics.py).
            Counter(sb, "vllm:spec_decode_num_drafts", "Number of spec decoding drafts.", labels, sim.SpecDraftsTotal);
            Counter(sb, "vllm:spec_decode_num_draft_tokens", "Number of draft tokens.", labels, sim.SpecDraftTokensTotal);
            Counter(sb, "vllm:spec_decode_num_accepted_tokens", "Number of accepted tokens.", labels, sim.SpecAcceptedTokensTotal);
            sb.Append("# HELP vllm:spec_decode_num_accepted_tokens_per_pos_total Accepted tokens per draft position.\n");
            sb.Append("# TYPE vllm:spec_decode_num_accepted_tokens_per_pos_total counter\n");
            for (var i = 0; i < sim.AcceptedPerPosition.Length; i++)
            {
                sb.Append("vllm:spec_decode_num_accepted_tokens_per_pos_total{").Append(labels).Append(",position=\"")
                    .Append(i.ToString(CultureInfo.InvariantCulture)).Append("\"} ").Append(Number(sim.AcceptedPerPosition[i])).Append('\n');
            }
        }

        sb.Append("# HELP vllm:cache_config_info Information of the LLMEngine CacheConfig\n");
        sb.Append("# TYPE vllm:cache_config_info gauge\n");
        sb.Append("vllm:cache_config_info{block_size=\"").Append(DemoWorkload.KvBlockTokens)
            .Append("\",cache_dtype=\"").Append(Escape(workload.Options.Kv))
            .Append("\",enable_prefix_caching=\"True\",engine=\"0\",gpu_memory_utilization=\"")
            .Append(Number(DemoWorkload.KvMemoryShare))
            .Append("\",num_gpu_blocks=\"").Append(workload.KvCacheBlocks.ToString(CultureInfo.InvariantCulture))
            .Append("\"} 1.0\n");
        return sb.ToString();
    }

    private static void Gauge(StringBuilder sb, string name, string help, string labels, double value)
    {
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        sb.Append("# TYPE ").Append(name).Append(" gauge\n");
        sb.Append(name).Append('{').Append(labels).Append("} ").Append(Number(value)).Append('\n');
    }

    private static void Counter(StringBuilder sb, string baseName, string help, string labels, double value)
    {
        sb.Append("# HELP ").Append(baseName).Append("_total ").Append(help).Append('\n');
        sb.Append("# TYPE ").Append(baseName).Append("_total counter\n");
        sb.Append(baseName).Append("_total{").Append(labels).Append("} ").Append(Number(value)).Append('\n');
    }

    private static void Histogram(StringBuilder sb, string name, string help, string labels, PrometheusHistogram h)
    {
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        sb.Append("# TYPE ").Append(name).Append(" histogram\n");
        for (var i = 0; i <= h.Bounds.Count; i++)
        {
            var le = i < h.Bounds.Count ? Number(h.Bounds[i]) : "+Inf";
            sb.Append(name).Append("_bucket{le=\"").Append(le).Append("\",").Append(labels).Append("} ")
                .Append(Number(h.Cumulative(i))).Append('\n');
        }

        sb.Append(name).Append("_count{").Append(labels).Append("} ").Append(Number(h.Count)).Append('\n');
        sb.Append(name).Append("_sum{").Append(labels).Append("} ").Append(Number(h.Sum)).Append('\n');
    }

    /// <summary>Python's repr of a float, as prometheus_client prints it: whole numbers keep a ".0".</summary>
    internal static string Number(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) || !double.IsFinite(value)
            ? text.Replace("E", "e", StringComparison.Ordinal)
            : text + ".0";
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
