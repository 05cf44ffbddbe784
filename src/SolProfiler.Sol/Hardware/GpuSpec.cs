using SolProfiler.Sol.Modeling;

namespace SolProfiler.Sol.Hardware;

/// <summary>One accelerator as the SOL model sees it: capacities, peaks, links, power and energy costs, each with its source.</summary>
public sealed record GpuSpec
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required string Vendor { get; init; }

    /// <summary>Regular expressions (case-insensitive) matched against the device name NVML or DCGM report.</summary>
    public required IReadOnlyList<string> DeviceNamePatterns { get; init; }

    public required SourcedValue MemoryBytes { get; init; }

    public required SourcedValue MemoryBandwidthBytesPerSecond { get; init; }

    /// <summary>Dense (not sparse) tensor peaks; a format the GPU has no tensor support for is absent.</summary>
    public required IReadOnlyDictionary<MathPrecision, SourcedValue> PeakFlopsPerSecond { get; init; }

    public required string ScaleUpName { get; init; }

    /// <summary>Scale-up bandwidth per GPU, all links together, one direction.</summary>
    public required SourcedValue LinkBandwidthBytesPerSecondPerDirection { get; init; }

    /// <summary>The least time one small collective takes on the scale-up fabric.</summary>
    public required SourcedValue CollectiveLatencySeconds { get; init; }

    public required SourcedValue ScaleUpDomainSize { get; init; }

    /// <summary>Collective algorithms the scale-up fabric supports, each with the source that says so. Ring is always present.</summary>
    public required IReadOnlyDictionary<CollectiveAlgorithm, string> ScaleUpAlgorithms { get; init; }

    /// <summary>What the in-switch reduction is (e.g. "NVLS, NVSwitch gen 3 SHARP"); null when the fabric has none.</summary>
    public string? InSwitchReductionName { get; init; }

    /// <summary>The network a group leaves the scale-up domain over; null when the entry gives none (a user file may omit it).</summary>
    public ScaleOutNetwork? ScaleOut { get; init; }

    public required SourcedValue PowerCapWatts { get; init; }

    public required SourcedValue IdlePowerWatts { get; init; }

    public required SourcedValue HbmJoulesPerBit { get; init; }

    public required SourcedValue LinkJoulesPerBit { get; init; }

    public required IReadOnlyDictionary<MathPrecision, SourcedValue> JoulesPerFlop { get; init; }

    /// <summary>Where this entry was read from (the embedded catalog or a user file).</summary>
    public required string Origin { get; init; }
}
