using SolProfiler.Analysis;
namespace SolProfiler.Cli.Sweep;

/// <summary>The deployment the SOL is computed for (the schema's <c>configuration</c>).</summary>
public sealed record SweepConfiguration(string Model, string Gpu, int Tp, int Pp, int Ep, int AttentionDp, string? Weights, string? Kv, string? Activations, int GpusPerReplica)
{
    /// <summary>Routed-expert weight precision when it differs from <see cref="Weights"/> (MoE models).</summary>
    public string? ExpertWeights { get; init; }

    /// <summary>Expert dispatch precision when <c>--dispatch</c> chose one.</summary>
    public string? Dispatch { get; init; }

    /// <summary>The <c>--gpu-file</c> the GPU came from, when one was given.</summary>
    public string? GpuFile { get; init; }
}

/// <summary>How the sweep was run (the schema's <c>settings</c>).</summary>
public sealed record SweepSettingsRecord(
    IReadOnlyList<int> Concurrency,
    double? DurationSeconds,
    int? Requests,
    double WarmupSeconds,
    int InputTokens,
    int OutputTokens,
    string? MetricsUrl,
    string? GpuBackend,
    string TokenCounting,
    double MaxErrorRatio)
{
    /// <summary>A level whose failed share exceeds this publishes no efficiency or Pareto gap.</summary>
    public double EfficiencyMaxErrorRatio { get; init; } = SweepSettings.DefaultEfficiencyMaxErrorRatio;
}

/// <summary>A whole sweep, the JSON contract between <c>solprof sweep</c> and <c>solprof report</c> (kind solprof-sweep, version 1).</summary>
public sealed record SweepResult(
    string Kind,
    int Version,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    string Endpoint,
    string ServedModel,
    SweepConfiguration Configuration,
    SweepSettingsRecord Settings,
    bool StoppedEarly,
    string? StopReason,
    IReadOnlyList<SweepLevelResult> Levels,
    IReadOnlyList<FrontierPoint> Frontier)
{
    public const string KindName = "solprof-sweep";
}
