using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Serving.Adapters;

/// <summary>
/// SGLang (<c>--enable-metrics</c>): <c>sglang:</c> names. Reads both the current names and the 0.4-era ones
/// (<c>time_per_output_token_seconds</c>).
/// </summary>
/// <remarks>
/// Read in sgl-project/sglang <c>python/sglang/srt/observability/metrics_collector.py</c> (commit 016d860) and the
/// scheduler's metrics reporter. Two processes publish:
/// <list type="bullet">
/// <item>The schedulers (one per data-parallel rank; tensor- and pipeline-parallel ranks of a rank report the same batch
/// when <c>--enable-metrics-for-all-schedulers</c> is set) label their series <c>tp_rank</c>, <c>pp_rank</c>,
/// <c>moe_ep_rank</c> and, with DP, <c>dp_rank</c>. One engine here is one <c>dp_rank</c>; the series of its TP/PP ranks
/// are replicas, so the largest is taken (counters included), never their sum.</item>
/// <item>The tokenizer manager (TTFT, ITL and e2e histograms, <c>prompt_tokens_total</c>, <c>generation_tokens_total</c>,
/// <c>num_retractions</c>) labels only <c>model_name</c>: its series describe every DP rank together. With one scheduler
/// engine they belong to it; with several they are put on an engine of their own, <see cref="TokenizerEngine"/>, and not
/// on rank 0 as if they were its own, so that summing the engines counts them once and no rank's batch is paired with
/// another's latency.</item>
/// </list>
/// Fields:
/// <list type="bullet">
/// <item><see cref="ServingSample.GenerationTokensTotal"/> = <c>realtime_tokens_total{mode="decode"}</c> (scheduler, bumped
/// every decode step by batch size + accepted drafts). Where a build lacks it, the tokenizer's
/// <c>generation_tokens_total</c>, which moves only when a request finishes (the version hint says so).</item>
/// <item><see cref="ServingSample.PromptTokensComputedTotal"/> = <c>realtime_tokens_total{mode="prefill_compute"}</c> (the
/// extend tokens of each prefill batch; a retracted request's re-prefill counts again, as it is computed again);
/// <see cref="ServingSample.PrefixCacheHitTokensTotal"/> = <c>{mode="prefill_cache"}</c>; <see cref="ServingSample.PromptTokensTotal"/>
/// = their sum where both exist, else the tokenizer's finish-time <c>prompt_tokens_total</c>.</item>
/// <item><see cref="ServingSample.SpecDecodeEmittedTokensPerStep"/> = <c>spec_accept_length</c>: HELP "accepted drafts +
/// bonus token per forward", so it includes the bonus token. The scheduler publishes 0 when speculative decoding is
/// off, and a step emits at least one token, so values below 1 are read as absent.</item>
/// <item><see cref="ServingSample.PreemptionsTotal"/> = <c>num_retracted_requests_total</c> (scheduler counter, retractions are
/// SGLang's preemptions), else the tokenizer's per-request <c>num_retractions</c> histogram sum (moves at finish).</item>
/// <item><c>num_running_reqs</c> and <c>num_queue_reqs</c>: with priority scheduling every scheduler series carries a
/// <c>priority</c> label; the total is published under <c>priority=""</c> and the breakdown under <c>priority="&lt;n&gt;"</c>,
/// so the total is read and the breakdown summed only where no total exists.</item>
/// <item>The scheduler's gauges are refreshed at each prefill batch and every <c>--decode-log-interval</c> decode steps.</item>
/// </list>
/// </remarks>
public sealed class SglangAdapter() : SignatureAdapter(ServerKind.Sglang, Signature)
{
    /// <summary>The engine name of the tokenizer-side series when the schedulers publish more than one data-parallel rank.</summary>
    public const string TokenizerEngine = "tokenizer";

    private const string Prefix = "sglang:";

    private const string FinishTimeTokens = "no realtime_tokens_total: token totals move when requests finish";

    /// <summary>Scheduler-side names whose engine keys tell how many data-parallel ranks publish.</summary>
    private static readonly string[] SchedulerNames =
        [Prefix + "num_running_reqs", Prefix + "num_queue_reqs", Prefix + "token_usage", Prefix + "realtime_tokens_total"];

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

    /// <summary>Scheduler series: one engine per data-parallel rank; TP/PP ranks of a rank share its key.</summary>
    private static readonly SeriesKeying Keying = new(["model_name"], ["dp_rank"]);

    public override IReadOnlyList<ServingSample> Read(ExpositionDocument document, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(document);
        var k = Keying;
        var current = document.Contains(Prefix + "inter_token_latency_seconds_count");
        var realtime = document.Contains(Prefix + "realtime_tokens_total");
        var names = current ? "current names (inter_token_latency_seconds)"
            : document.Contains(Prefix + "time_per_output_token_seconds_count") ? "0.4-era names (time_per_output_token_seconds)"
            : null;
        var hint = realtime || !document.Contains(Prefix + "generation_tokens_total") ? names
            : names is null ? FinishTimeTokens
            : names + "; " + FinishTimeTokens;

        Func<MetricSample, bool> Mode(string mode) => s => s.LabelValue("mode") == mode;
        var decodeTokens = DocumentReading.Gauge(document, Prefix + "realtime_tokens_total", k, Mode("decode"));
        var prefillCompute = DocumentReading.Gauge(document, Prefix + "realtime_tokens_total", k, Mode("prefill_compute"));
        var prefillCache = DocumentReading.Gauge(document, Prefix + "realtime_tokens_total", k, Mode("prefill_cache"));
        var retracted = DocumentReading.Gauge(document, Prefix + "num_retracted_requests_total", k);

        var acceptLength = DocumentReading.Gauge(document, Prefix + "spec_accept_length", k);
        foreach (var key in acceptLength.Keys.ToArray())
        {
            if (acceptLength[key] < 1)
            {
                acceptLength.Remove(key);
            }
        }

        var table = new SampleTable(Kind, hint, timestamp)
            .Put(QueueGauge(document, Prefix + "num_running_reqs", k), (s, v) => s with { RunningRequests = v })
            .Put(QueueGauge(document, Prefix + "num_queue_reqs", k), (s, v) => s with { WaitingRequests = v })
            .Put(DocumentReading.Gauge(document, Prefix + "token_usage", k), (s, v) => s with { KvCacheUsageRatio = v })
            .Put(DocumentReading.Gauge(document, Prefix + "max_total_num_tokens", k), (s, v) => s with { KvCacheCapacityTokens = v })
            .Put(decodeTokens, (s, v) => s with { GenerationTokensTotal = v })
            .Put(prefillCompute, (s, v) => s with { PromptTokensComputedTotal = v })
            .Put(prefillCache, (s, v) => s with { PrefixCacheHitTokensTotal = v })
            .Put(DocumentReading.Add(prefillCompute, prefillCache), (s, v) => s with { PromptTokensTotal = v })
            .Put(acceptLength, (s, v) => s with { SpecDecodeEmittedTokensPerStep = v })
            .Put(retracted, (s, v) => s with { PreemptionsTotal = v });

        // Tokenizer-side series carry no rank: they land on (model, "0"), and move to an engine of their own when the
        // schedulers publish several data-parallel ranks.
        var schedulerEngines = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in SchedulerNames)
        {
            foreach (var s in document.Samples(name))
            {
                schedulerEngines.Add(k.KeyOf(s).Engine);
            }
        }

        var shared = schedulerEngines.Count > 1;
        Dictionary<SeriesKey, T> Tokenizer<T>(Dictionary<SeriesKey, T> values) => shared ? Rekey(values) : values;
        var sharedNote = shared ? " [tokenizer side: all data-parallel ranks together, not one rank's]" : string.Empty;

        if (decodeTokens.Count == 0)
        {
            table.Put(Tokenizer(DocumentReading.Sum(document, Prefix + "generation_tokens_total", k)), (s, v) => s with { GenerationTokensTotal = v });
        }

        if (prefillCompute.Count == 0 || prefillCache.Count == 0)
        {
            table.Put(Tokenizer(DocumentReading.Sum(document, Prefix + "prompt_tokens_total", k)), (s, v) => s with { PromptTokensTotal = v });
        }

        if (retracted.Count == 0)
        {
            table.Put(Tokenizer(DocumentReading.Sum(document, Prefix + "num_retractions_sum", k)), (s, v) => s with { PreemptionsTotal = v });
        }

        table
            .Put(Tokenizer(DocumentReading.Histogram(document, Prefix + "time_to_first_token_seconds", k)), (s, h) => s with { TimeToFirstToken = h })
            .Put(Tokenizer(DocumentReading.Histogram(document, Prefix + "e2e_request_latency_seconds", k)), (s, h) => s with { E2eLatency = h });

        if (current)
        {
            table.Put(
                Tokenizer(DocumentReading.Histogram(document, Prefix + "inter_token_latency_seconds", k)),
                (s, h) => s with
                {
                    InterTokenLatency = h,
                    InterTokenLatencySource = "sglang:inter_token_latency_seconds: per output token (token-weighted: a gap carrying n tokens adds the gap to _sum and n to _count); per-step time = this x sglang:spec_accept_length" + sharedNote,
                });
        }
        else
        {
            table.Put(
                Tokenizer(DocumentReading.Histogram(document, Prefix + "time_per_output_token_seconds", k)),
                (s, h) => s with
                {
                    InterTokenLatency = h,
                    InterTokenLatencySource = "sglang:time_per_output_token_seconds (0.4-era): per-request time per output token, first token excluded, observed per streamed output; not a per-step time" + sharedNote,
                });
        }

        return table.ToSamples();
    }

    /// <summary>
    /// A queue gauge per engine: the series without a <c>priority</c> label or with <c>priority=""</c> (the total), else
    /// the sum of the per-priority series.
    /// </summary>
    private static Dictionary<SeriesKey, double> QueueGauge(ExpositionDocument doc, string name, SeriesKeying k)
    {
        var totals = DocumentReading.Gauge(doc, name, k, s => string.IsNullOrEmpty(s.LabelValue("priority")));
        var byPriority = new Dictionary<SeriesKey, Dictionary<string, double>>();
        foreach (var s in doc.Samples(name))
        {
            var priority = s.LabelValue("priority");
            if (string.IsNullOrEmpty(priority) || double.IsNaN(s.Value))
            {
                continue;
            }

            var key = k.KeyOf(s);
            if (!byPriority.TryGetValue(key, out var parts))
            {
                byPriority[key] = parts = new Dictionary<string, double>(StringComparer.Ordinal);
            }

            // Replicated TP/PP ranks of one engine: the largest per priority, then the sum over priorities.
            parts[priority] = parts.TryGetValue(priority, out var v) ? Math.Max(v, s.Value) : s.Value;
        }

        var summed = new Dictionary<SeriesKey, double>();
        foreach (var (key, parts) in byPriority)
        {
            summed[key] = parts.Values.Sum();
        }

        return DocumentReading.Prefer(totals, summed);
    }

    private static Dictionary<SeriesKey, T> Rekey<T>(Dictionary<SeriesKey, T> values)
    {
        var result = new Dictionary<SeriesKey, T>(values.Count);
        foreach (var (key, value) in values)
        {
            result[key with { Engine = TokenizerEngine }] = value;
        }

        return result;
    }
}
