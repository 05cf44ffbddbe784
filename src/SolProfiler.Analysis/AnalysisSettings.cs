namespace SolProfiler.Analysis;

/// <summary>How the window is analysed: its length, the defaults it falls back on and the frontier it publishes.</summary>
public sealed record AnalysisSettings
{
    /// <summary>The sliding window the operating point is measured over.</summary>
    public required TimeSpan Window { get; init; }

    /// <summary>How often the window is analysed (and the GPUs read).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The mean context assumed where the server publishes nothing that gives it (labelled <c>configured-default</c>).</summary>
    public double Context { get; init; } = OperatingPointBuilder.DefaultContextTokens;

    public GapOptions Gap { get; init; } = new();

    /// <summary>Batch sizes of the published SOL frontier; empty = powers of two from 1 to 1,024.</summary>
    public IReadOnlyList<int> FrontierBatches { get; init; } = [];

    /// <summary>The sources are the simulated server and GPUs (said in the snapshot's configuration).</summary>
    public bool Demo { get; init; }
}
