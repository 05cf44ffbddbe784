namespace SolProfiler.Cli.Sweep;

/// <summary>Mean and percentiles of one latency in seconds (the schema's latency object).</summary>
public sealed record LatencySummary(double Mean, double P50, double P90, double P99);

/// <summary>
/// The point of a sweep level at which the SOL is evaluated, and where its numbers came from ("server" or "client"):
/// the few inputs of the SOL, not the agent's measured window (<c>Analysis.OperatingPoint</c>).
/// </summary>
public sealed record LevelOperatingPoint(double Batch, double ContextTokens, string BatchSource, string ContextSource)
{
    /// <summary>Computed prompt tokens per engine step the server showed (chunked prefill); null without server metrics.</summary>
    public double? PrefillTokensPerStep { get; init; }

    /// <summary>Tokens each sequence emitted per step (accepted drafts + 1); null without server metrics.</summary>
    public double? TokensPerStep { get; init; }
}

/// <summary>One concurrency level of a sweep, per the sweep JSON contract: null for whatever was not measured.</summary>
public sealed record SweepLevelResult
{
    public required int Concurrency { get; init; }

    public required double DurationSeconds { get; init; }

    public required int Requests { get; init; }

    public required int Completed { get; init; }

    public required int Errors { get; init; }

    /// <summary>Failed requests by class (snake_case: connect, before_headers, mid_stream, http_status, timeout, stream_error).</summary>
    public required IReadOnlyDictionary<string, int> ErrorReasons { get; init; }

    /// <summary>The status codes of the <c>http_status</c> errors, code to count.</summary>
    public IReadOnlyDictionary<string, int> HttpStatuses { get; init; } = new Dictionary<string, int>();

    /// <summary>
    /// Why <see cref="Efficiency"/>, <see cref="ParetoGapRatio"/> and the SOL at the measured interactivity are null
    /// though requests completed: the level's error ratio exceeded <c>--efficiency-max-error-ratio</c>, so its
    /// survivors are not a fair measure of the server. Null when they are published.
    /// </summary>
    public string? EfficiencyWithheld { get; init; }

    public long? OutputTokens { get; init; }

    public double? OutputTokensPerSecond { get; init; }

    public double? OutputTokensPerSecondPerGpu { get; init; }

    public double? TokensPerSecondPerUser { get; init; }

    public LatencySummary? TtftSeconds { get; init; }

    public LatencySummary? TpotSeconds { get; init; }

    public LatencySummary? ItlSeconds { get; init; }

    public double? ServerBatch { get; init; }

    public double? ServerContextTokens { get; init; }

    public double? ServerStepSeconds { get; init; }

    /// <summary>Engines the server's metrics showed (data-parallel replicas); throughput per GPU divides by all their GPUs.</summary>
    public int? Replicas { get; init; }

    public double? PowerWatts { get; init; }

    /// <summary>Energy per output token: the replicas' GPU power over the tokens they made (the server's count when given).</summary>
    public double? JoulesPerToken { get; init; }

    public LevelOperatingPoint? OperatingPoint { get; init; }

    public SolProfiler.Sol.Modeling.SolResultRecord? Sol { get; init; }

    public double? Efficiency { get; init; }

    public double? ParetoGapRatio { get; init; }

    public double? SolTokensPerSecondPerGpuAtMeasuredInteractivity { get; init; }
}
