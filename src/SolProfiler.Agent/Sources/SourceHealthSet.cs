namespace SolProfiler.Agent.Sources;

/// <summary>The health of the configured sources (serving first, then GPU), for the analysis, the metrics and <c>/readyz</c>.</summary>
public sealed class SourceHealthSet(SourceHealth? serving, SourceHealth? gpu)
{
    /// <summary>Null without a serving source.</summary>
    public SourceHealth? Serving { get; } = serving;

    /// <summary>Null without a GPU source.</summary>
    public SourceHealth? Gpu { get; } = gpu;

    public IReadOnlyList<SourceHealth> All { get; } = new[] { serving, gpu }.OfType<SourceHealth>().ToArray();
}
