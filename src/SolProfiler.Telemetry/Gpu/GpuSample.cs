namespace SolProfiler.Telemetry.Gpu;

/// <summary>
/// What one GPU reported at one moment, whatever the backend (DCGM, NVML, dcgm-exporter, the stand-ins).
/// A field the device or library does not provide is null, never zero. Ratios are 0..1; energy and byte
/// counters are cumulative (windows take deltas).
/// </summary>
public sealed record GpuSample
{
    public required int Index { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    public string? Uuid { get; init; }

    /// <summary>The device name as the library reports it (e.g. "NVIDIA H100 80GB HBM3"), used to find the catalog GPU.</summary>
    public string? Name { get; init; }

    public string? PciBusId { get; init; }

    public double? PowerWatts { get; init; }

    /// <summary>Total energy since the driver loaded, joules (a counter).</summary>
    public double? EnergyJoules { get; init; }

    public double? PowerLimitWatts { get; init; }

    public double? SmClockHz { get; init; }

    public double? MemClockHz { get; init; }

    public double? GpuTemperatureCelsius { get; init; }

    public double? MemoryTemperatureCelsius { get; init; }

    public double? MemoryUsedBytes { get; init; }

    public double? MemoryTotalBytes { get; init; }

    /// <summary>Fraction of time the graphics/compute engine was busy (DCGM GR_ENGINE_ACTIVE, NVML utilization.gpu).</summary>
    public double? GraphicsActiveRatio { get; init; }

    public double? SmActiveRatio { get; init; }

    public double? SmOccupancyRatio { get; init; }

    public double? TensorActiveRatio { get; init; }

    /// <summary>Fraction of cycles the device memory interface was busy: times peak bandwidth = HBM bytes/s.</summary>
    public double? DramActiveRatio { get; init; }

    /// <summary>NVLink bytes sent and received since start (counters), all links.</summary>
    public double? NvlinkTxBytes { get; init; }

    public double? NvlinkRxBytes { get; init; }

    /// <summary>PCIe bytes since start (counters).</summary>
    public double? PcieTxBytes { get; init; }

    public double? PcieRxBytes { get; init; }

    /// <summary>NVLink and PCIe rates as a backend reports them directly (DCGM profiling fields, dcgm-exporter), bytes/s.</summary>
    public double? NvlinkTxBytesPerSecond { get; init; }

    public double? NvlinkRxBytesPerSecond { get; init; }

    public double? PcieTxBytesPerSecond { get; init; }

    public double? PcieRxBytesPerSecond { get; init; }

    /// <summary>Active clock-event (throttle) reasons by name, e.g. "sw_power_cap", "hw_slowdown"; null when unknown.</summary>
    public IReadOnlyList<string>? ThrottleReasons { get; init; }

    /// <summary>The last XID error reported, when the backend exposes it.</summary>
    public double? XidErrors { get; init; }
}
