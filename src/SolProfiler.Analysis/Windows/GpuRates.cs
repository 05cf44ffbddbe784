namespace SolProfiler.Analysis.Windows;

/// <summary>What one GPU did over a window: means of its ratios and rates of its counters. Null where not reported.</summary>
public sealed record GpuRates
{
    public required int Index { get; init; }

    public string? Name { get; init; }

    public required int Reads { get; init; }

    /// <summary>Mean power: energy-counter increase over time where the counter exists, else the mean power reading.</summary>
    public double? PowerWatts { get; init; }

    public double? PowerLimitWatts { get; init; }

    public double? GraphicsActiveRatio { get; init; }

    public double? SmActiveRatio { get; init; }

    public double? DramActiveRatio { get; init; }

    public double? TensorActiveRatio { get; init; }

    /// <summary>NVLink bytes per second, sent plus received halves kept apart.</summary>
    public double? NvlinkTxBytesPerSecond { get; init; }

    public double? NvlinkRxBytesPerSecond { get; init; }

    /// <summary>Fraction of reads with a power or thermal clock-event reason active (null when reasons are not reported).</summary>
    public double? ThrottledRatio { get; init; }

    /// <summary>The counters (energy, nvlink_tx, nvlink_rx) that went backwards in the window: a driver reload or GPU reset.</summary>
    public IReadOnlyList<string> CounterResets { get; init; } = [];
}
