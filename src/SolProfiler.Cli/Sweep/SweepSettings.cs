using SolProfiler.Sol.Modeling;

namespace SolProfiler.Cli.Sweep;

/// <summary>Everything one <c>solprof sweep</c> run needs, parsed and checked.</summary>
public sealed record SweepSettings
{
    public required Uri Endpoint { get; init; }

    public required string ServedModel { get; init; }

    /// <summary>What <c>--sol-model</c> said; null: found from <see cref="ServedModel"/> (see <see cref="SweepModel"/>).</summary>
    public string? SolModel { get; init; }

    public required string Gpu { get; init; }

    public int Tp { get; init; } = 1;

    public int Pp { get; init; } = 1;

    public int Ep { get; init; } = 1;

    public int AttentionDp { get; init; } = 1;

    /// <summary>A JSON or YAML file that adds or overrides GPUs (as <c>solprof sol --gpu-file</c>).</summary>
    public string? GpuFile { get; init; }

    public PrecisionChoice Precisions { get; init; } = new(null, null, null, null);

    public required IReadOnlyList<int> Concurrency { get; init; }

    /// <summary>Measured time per level; null when <see cref="Requests"/> is set.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Measured requests per level; null when <see cref="Duration"/> is set.</summary>
    public int? Requests { get; init; }

    public TimeSpan Warmup { get; init; }

    public int InputTokens { get; init; } = 1024;

    public int OutputTokens { get; init; } = 256;

    public Uri? MetricsUrl { get; init; }

    /// <summary>Where the GPUs' power comes from; null for no GPU telemetry.</summary>
    public SolProfiler.Agent.Sources.GpuBackendRequest? GpuBackend { get; init; }

    public double MaxErrorRatio { get; init; } = 0.5;

    /// <summary>The default of <see cref="EfficiencyMaxErrorRatio"/>: 5 %, where a level's failures start to bend its numbers.</summary>
    public const double DefaultEfficiencyMaxErrorRatio = 0.05;

    /// <summary>A level whose failed share of requests exceeds this publishes no efficiency or Pareto gap (they would rate the survivors only).</summary>
    public double EfficiencyMaxErrorRatio { get; init; } = DefaultEfficiencyMaxErrorRatio;

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(120);

    public required string OutputPath { get; init; }

    public int GpusPerReplica => Tp * Pp;

    /// <summary>Context used for the SOL when the server's metrics do not give it: the prompt plus half the output.</summary>
    public double ClientContextTokens => InputTokens + (OutputTokens / 2.0);
}
