namespace SolProfiler.Demo;

/// <summary>
/// What the simulation counts for <see cref="VllmMetricsWriter"/>: vLLM's histograms with its bucket bounds, the
/// token, request, prefix-cache and speculative-decoding counters, and the KV blocks in use at scrape time.
/// </summary>
internal sealed partial class DecodeSimulation
{
    internal static readonly double[] TtftBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];
    internal static readonly double[] ItlBuckets = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];
    internal static readonly double[] E2eBuckets = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];

    /// <summary>vLLM's <c>iteration_tokens_total</c> bounds (its CUDA-graph capture sizes up to the batched-token budget).</summary>
    internal static readonly double[] IterationTokenBuckets = [1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384];

    public PrometheusHistogram Ttft { get; } = new(TtftBuckets);

    public PrometheusHistogram InterTokenLatency { get; } = new(ItlBuckets);

    public PrometheusHistogram E2eLatency { get; } = new(E2eBuckets);

    public PrometheusHistogram RequestTimePerOutputToken { get; } = new(ItlBuckets);

    /// <summary>Tokens (prompt chunks and decode positions) scheduled per engine step.</summary>
    public PrometheusHistogram IterationTokens { get; } = new(IterationTokenBuckets);

    /// <summary>Whole prompts, prefix-cache hits included, counted as each request's prefill completes (vLLM's <c>prompt_tokens</c>).</summary>
    public long PromptTokensTotal { get; private set; }

    public long GenerationTokensTotal { get; private set; }

    public long RequestsFinished { get; private set; }

    /// <summary>Prompt tokens looked up in the prefix cache, and found there, as requests are admitted.</summary>
    public long PrefixCacheQueriesTotal { get; private set; }

    public long PrefixCacheHitsTotal { get; private set; }

    /// <summary>Speculative decoding: sequences that drafted, per step (vLLM's <c>spec_decode_num_drafts</c>).</summary>
    public long SpecDraftsTotal { get; private set; }

    public long SpecDraftTokensTotal { get; private set; }

    public long SpecAcceptedTokensTotal { get; private set; }

    /// <summary>Accepted draft tokens by position (0-based), as vLLM's <c>spec_decode_num_accepted_tokens_per_pos</c>.</summary>
    public long[] AcceptedPerPosition { get; }

    /// <summary>KV blocks in use: decoding sequences' context and prefilling requests' computed or cached prompt, in whole blocks (O(n); at scrape time).</summary>
    public long KvBlocksInUse()
    {
        long blocks = 0;
        foreach (var (sequence, _) in _finishing.UnorderedItems)
        {
            if (sequence.External is { Aborted: true })
            {
                continue;
            }

            var tokens = Math.Min(sequence.PromptTokens + sequence.MaxTokens, sequence.PromptTokens + 1 + (_tokenClock - sequence.StartClock));
            blocks += (tokens + DemoWorkload.KvBlockTokens - 1) / DemoWorkload.KvBlockTokens;
        }

        foreach (var p in _prefilling)
        {
            blocks += (p.PromptTokens - p.Remaining + DemoWorkload.KvBlockTokens - 1) / DemoWorkload.KvBlockTokens;
        }

        return blocks;
    }
}
