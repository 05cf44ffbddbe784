namespace SolProfiler.Cli.Report;

/// <summary>What a report is drawn from: a load sweep (one point per concurrency level) or an agent recording (one point per window).</summary>
public enum ReportKind
{
    Sweep,
    Recording,
}

/// <summary>Mean and percentiles of one latency, in seconds; null where not measured.</summary>
public sealed record LatencyPercentiles(double? Mean, double? P50, double? P90, double? P99);

/// <summary>One point of the SOL frontier.</summary>
public sealed record ReportFrontierPoint(double Batch, double TokensPerSecondPerUser, double TokensPerSecondPerGpu, bool Fits);

/// <summary>
/// One sweep level or one recording window. <see cref="HasData"/> false means nothing was measured there (no completed
/// request, or an invalid window): every measured number is then null and the report says "no data", never zero.
/// </summary>
public sealed record ReportPoint
{
    public required string Label { get; init; }

    public int? Concurrency { get; init; }

    public DateTimeOffset? Time { get; init; }

    public required bool HasData { get; init; }

    public string? NoDataReason { get; init; }

    public double? TokensPerSecondPerUser { get; init; }

    public double? TokensPerSecondPerGpu { get; init; }

    public double? Efficiency { get; init; }

    public double? MeasuredStepSeconds { get; init; }

    public double? SolStepSeconds { get; init; }

    /// <summary>Seconds of the gap per cause (camelCase keys as the agent writes them); null where the input has none.</summary>
    public IReadOnlyDictionary<string, double>? Causes { get; init; }

    public IReadOnlyDictionary<string, double>? SolShares { get; init; }

    public IReadOnlyDictionary<string, double>? SolSeconds { get; init; }

    public string? SolBound { get; init; }

    public LatencyPercentiles? Ttft { get; init; }

    public LatencyPercentiles? Tpot { get; init; }

    public LatencyPercentiles? Itl { get; init; }

    public double? JoulesPerToken { get; init; }

    public double? SolJoulesPerToken { get; init; }

    public int? Requests { get; init; }

    public int? Completed { get; init; }

    public int? Errors { get; init; }
}

/// <summary>Everything a report shows, whichever input it came from.</summary>
public sealed record ReportData(
    ReportKind Kind,
    string SourceFile,
    string Title,
    IReadOnlyList<KeyValuePair<string, string>> Configuration,
    IReadOnlyList<ReportPoint> Points,
    IReadOnlyList<ReportFrontierPoint> Frontier);
