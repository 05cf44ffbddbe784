using SolProfiler.Sol.Modeling;

namespace SolProfiler.Analysis;

/// <summary>
/// One analysis of the window: what <c>/api/v1/snapshot</c> returns, what the metrics publish and what a recording
/// line holds. Immutable; the analysis loop replaces it whole.
/// </summary>
public sealed record AgentSnapshot
{
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The window configured: how far back the measurement reaches once the agent has run that long.</summary>
    public required double WindowSeconds { get; init; }

    /// <summary>
    /// The seconds the measurement spans, from the window's first scrape to its last: less than
    /// <see cref="WindowSeconds"/> until the window has filled, so the first number comes after two scrapes, not after
    /// a whole window, and says how short it is.
    /// </summary>
    public double SpanSeconds { get; init; }

    /// <summary>False when the window holds no valid measurement; then the gap is absent and <see cref="InvalidReason"/> says why.</summary>
    public required bool Valid { get; init; }

    public string? InvalidReason { get; init; }

    public required ConfigurationSummary Configuration { get; init; }

    public OperatingPoint? OperatingPoint { get; init; }

    public SolResultRecord? Sol { get; init; }

    public GapSummary? Gap { get; init; }

    public required IReadOnlyList<SourceStatus> Sources { get; init; }

    public IReadOnlyList<FrontierPoint> Frontier { get; init; } = [];

    public IReadOnlyList<GpuStatus> Gpus { get; init; } = [];

    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>The configuration the SOL was computed for.</summary>
public sealed record ConfigurationSummary(
    string Model,
    string? Gpu,
    string? GpuName,
    string? GpuDetectedFrom,
    int Tp,
    int Pp,
    int Ep,
    int AttentionDp,
    int GpusPerReplica,
    string? Weights,
    string? Kv,
    string? Activations,
    string? Server,
    bool Demo);

/// <summary>The gap in the snapshot's JSON shape (causes keyed by camelCase name).</summary>
public sealed record GapSummary(
    double Efficiency,
    double MeasuredStepSeconds,
    double SolStepSeconds,
    double GapSeconds,
    GapCauses Causes,
    double? ParetoGapRatio,
    double? SolTokensPerSecondPerGpuAtMeasuredInteractivity,
    IReadOnlyList<string> Warnings)
{
    public static GapSummary From(GapResult g) => new(
        g.Efficiency, g.MeasuredStepSeconds, g.SolStepSeconds, g.GapSeconds, g.Causes, g.ParetoGapRatio,
        g.SolTokensPerSecondPerGpuAtMeasuredInteractivity, g.Warnings);
}

/// <summary>One point of the published SOL frontier.</summary>
public sealed record FrontierPoint(int Batch, double TokensPerSecondPerUser, double TokensPerSecondPerGpu, bool Fits);

/// <summary>A source's health as the snapshot shows it.</summary>
public sealed record SourceStatus(
    string Source,
    string Backend,
    string? Url,
    bool Up,
    DateTimeOffset? LastSuccess,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    int ConsecutiveFailures,
    IReadOnlyDictionary<string, long> Errors);

/// <summary>One GPU's latest reading, for the status page.</summary>
public sealed record GpuStatus(
    int Index,
    string? Name,
    double? PowerWatts,
    double? PowerLimitWatts,
    double? GraphicsActiveRatio,
    double? DramActiveRatio,
    double? TensorActiveRatio,
    IReadOnlyList<string>? ThrottleReasons);
