namespace SolProfiler.Telemetry.Serving;

/// <summary>
/// What one engine (or data-parallel rank) of an inference server published at one scrape, normalised across servers.
/// Every value the server does not expose is null, never zero. Counters and histograms are cumulative, as scraped.
/// </summary>
public sealed record ServingSample
{
    public required ServerKind Server { get; init; }

    /// <summary>A hint at the server's version or engine generation (e.g. "v1 engine", "0.0.4 names"), when the names tell.</summary>
    public string? VersionHint { get; init; }

    public string? Model { get; init; }

    /// <summary>The engine, data-parallel rank or instance this sample belongs to ("0" for single-engine servers).</summary>
    public required string Engine { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Requests in the running (decoding) batch.</summary>
    public double? RunningRequests { get; init; }

    public double? WaitingRequests { get; init; }

    public double? GenerationTokensTotal { get; init; }

    public double? PromptTokensTotal { get; init; }

    /// <summary>Time between output tokens (per decode step where the server measures that), seconds.</summary>
    public HistogramSnapshot? InterTokenLatency { get; init; }

    /// <summary>Which server metric <see cref="InterTokenLatency"/> came from, and what it measures.</summary>
    public string? InterTokenLatencySource { get; init; }

    public HistogramSnapshot? TimeToFirstToken { get; init; }

    public HistogramSnapshot? E2eLatency { get; init; }

    /// <summary>Fraction of the KV cache in use, 0..1.</summary>
    public double? KvCacheUsageRatio { get; init; }

    /// <summary>KV-cache capacity in tokens (blocks x block size) where the server exposes it.</summary>
    public double? KvCacheCapacityTokens { get; init; }

    public double? PreemptionsTotal { get; init; }

    /// <summary>Speculative decoding: draft tokens proposed, and accepted, since start.</summary>
    public double? SpecDecodeDraftTokensTotal { get; init; }

    public double? SpecDecodeAcceptedTokensTotal { get; init; }

    /// <summary>Speculative decoding: verify steps that carried drafts (vLLM <c>spec_decode_num_drafts_total</c>), since start.</summary>
    public double? SpecDecodeDraftsTotal { get; init; }

    /// <summary>
    /// Speculative decoding: mean tokens emitted per sequence per verify step (accepted drafts + 1), where the server
    /// publishes it as a gauge (SGLang <c>spec_accept_length</c>) rather than as counters.
    /// </summary>
    public double? SpecDecodeEmittedTokensPerStep { get; init; }

    /// <summary>Engine steps (forward passes of the running batch) since start: vLLM <c>iteration_tokens_total_count</c>, llama.cpp <c>n_decode_total</c>.</summary>
    public double? EngineStepsTotal { get; init; }

    /// <summary>
    /// The sum over engine steps of the sequences each step carried, since start, so that its increase over the
    /// increase of <see cref="EngineStepsTotal"/> is the mean batch per step (llama.cpp: <c>n_busy_slots_per_decode</c>
    /// x <c>n_decode_total</c>).
    /// </summary>
    public double? BatchSequencesTotal { get; init; }

    /// <summary>
    /// Tokens the engine's step histogram summed since start (vLLM <c>iteration_tokens_total_sum</c>: the tokens each step
    /// emitted plus the whole prompts, cache hits included, of the requests whose prefill completed in it; not the
    /// tokens scheduled per step, so prompt tokens per step come from <see cref="PromptTokensComputedTotal"/>).
    /// </summary>
    public double? ScheduledTokensTotal { get; init; }

    /// <summary>Prompt tokens the engine computed, prefix-cache hits excluded, since start.</summary>
    public double? PromptTokensComputedTotal { get; init; }

    /// <summary>Prompt tokens served from the prefix cache (not computed), since start.</summary>
    public double? PrefixCacheHitTokensTotal { get; init; }

    /// <summary>Computed prompt tokens in the engine's latest step, where the server publishes that gauge (Triton's <c>total_context_tokens</c>).</summary>
    public double? PrefillTokensLastStep { get; init; }

    /// <summary>Per-slot state from a server's slot endpoint (llama.cpp <c>GET /slots</c>), read beside the metrics; null when not read.</summary>
    public ServingSlots? Slots { get; init; }

    /// <summary>
    /// The KV-cache data type the server says it allocated (vLLM <c>cache_config_info{cache_dtype}</c>: <c>auto</c> =
    /// the model's dtype, or <c>fp8</c>, <c>fp8_e4m3</c>, <c>fp8_e5m2</c>, ...), as published; null where not told.
    /// </summary>
    public string? KvCacheDtype { get; init; }

    /// <summary>Tokens per KV-cache block (vLLM <c>cache_config_info{block_size}</c>); null where not told.</summary>
    public double? KvCacheBlockSize { get; init; }
}
