namespace SolProfiler.Analysis;

/// <summary>
/// What the deployment did over one window, measured: the point at which the SOL is evaluated and against which the
/// gap is taken. Serving values are per replica (one engine) unless said otherwise; GPU values are means per GPU.
/// Null where the sources did not provide the input.
/// </summary>
public sealed record OperatingPoint
{
    public required DateTimeOffset WindowStart { get; init; }

    public required DateTimeOffset WindowEnd { get; init; }

    /// <summary>Mean sequences decoding together in one step of one replica.</summary>
    public double? Batch { get; init; }

    /// <summary>
    /// Which signal gave the batch: <c>sequences-per-engine-step</c>, <c>running-requests</c>,
    /// <c>processing-slots</c> or <c>generation-rate-x-step</c> (see <see cref="EngineEstimate"/>).
    /// </summary>
    public string? BatchSource { get; init; }

    /// <summary>Mean context per running sequence, tokens.</summary>
    public double? ContextTokens { get; init; }

    /// <summary>How the context was obtained: <c>kv-cache-usage</c>, <c>slots</c>, <c>token-counters</c> or <c>configured-default</c>.</summary>
    public string? ContextSource { get; init; }

    /// <summary>Computed prompt tokens (prefix-cache hits excluded) batched into each engine step: the P of a mixed step.</summary>
    public double? PrefillTokensPerStep { get; init; }

    /// <summary>Which signal gave P (see <see cref="EngineEstimate"/>).</summary>
    public string? PrefillSource { get; init; }

    /// <summary>Draft positions each sequence scores per verify step (0 without speculative decoding).</summary>
    public double? DraftTokensPerStep { get; init; }

    /// <summary>Tokens each sequence emits per step (accepted drafts + 1; 1 without speculative decoding).</summary>
    public double? EmittedTokensPerStep { get; init; }

    /// <summary>Which signal gave the speculative acceptance: <c>speculative-counters</c>, <c>accepted-length-gauge</c> or <c>none</c>.</summary>
    public string? SpeculationSource { get; init; }

    /// <summary>Server counters that contradicted each other, and were dropped.</summary>
    public IReadOnlyList<string> EstimateWarnings { get; init; } = [];

    /// <summary>Mean engine step, seconds (a verify step under speculative decoding), from the best step signal the server gives.</summary>
    public double? MeasuredStepSeconds { get; init; }

    /// <summary>Which server metric gave the step time, and what it measures.</summary>
    public string? StepSource { get; init; }

    public double? InterTokenObservations { get; init; }

    /// <summary>Output tokens per second, all replicas.</summary>
    public double? TokensPerSecond { get; init; }

    /// <summary>Interactivity: tokens each sequence emits per step over the step.</summary>
    public double? TokensPerSecondPerUser { get; init; }

    public double? TokensPerSecondPerGpu { get; init; }

    /// <summary>Power of all GPUs seen, watts.</summary>
    public double? PowerWatts { get; init; }

    public double? JoulesPerToken { get; init; }

    /// <summary>HBM traffic per GPU: DRAM activity x the catalog's peak bandwidth.</summary>
    public double? HbmBytesPerSecondPerGpu { get; init; }

    /// <summary>NVLink bytes sent per second per GPU (the direction the SOL model counts).</summary>
    public double? NvlinkBytesPerSecondPerGpu { get; init; }

    /// <summary>Fraction of time the GPUs ran any kernel (graphics-engine activity).</summary>
    public double? BusyRatio { get; init; }

    public double? SmActiveRatio { get; init; }

    public double? DramActiveRatio { get; init; }

    public double? TensorActiveRatio { get; init; }

    /// <summary>Fraction of GPU reads with a power or thermal clock-event reason active.</summary>
    public double? ThrottledRatio { get; init; }

    public int Gpus { get; init; }

    /// <summary>Engines (replicas) that decoded in the window.</summary>
    public int Replicas { get; init; }

    public int ServingScrapes { get; init; }

    public int GpuReads { get; init; }

    /// <summary>Counters that went backwards in the window (a server restart), handled.</summary>
    public int CounterResets { get; init; }
}
