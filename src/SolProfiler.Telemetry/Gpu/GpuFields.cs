namespace SolProfiler.Telemetry.Gpu;

/// <summary>Which optional <see cref="GpuSample"/> fields a backend left empty on every GPU (camelCase names, as in JSON).</summary>
public static class GpuFields
{
    private static readonly (string Name, Func<GpuSample, object?> Get)[] Optional =
    [
        ("uuid", s => s.Uuid),
        ("name", s => s.Name),
        ("powerWatts", s => s.PowerWatts),
        ("energyJoules", s => s.EnergyJoules),
        ("powerLimitWatts", s => s.PowerLimitWatts),
        ("smClockHz", s => s.SmClockHz),
        ("memClockHz", s => s.MemClockHz),
        ("gpuTemperatureCelsius", s => s.GpuTemperatureCelsius),
        ("memoryUsedBytes", s => s.MemoryUsedBytes),
        ("memoryTotalBytes", s => s.MemoryTotalBytes),
        ("graphicsActiveRatio", s => s.GraphicsActiveRatio),
        ("smActiveRatio", s => s.SmActiveRatio),
        ("tensorActiveRatio", s => s.TensorActiveRatio),
        ("dramActiveRatio", s => s.DramActiveRatio),
        ("nvlinkTxBytes", s => s.NvlinkTxBytes ?? s.NvlinkTxBytesPerSecond),
        ("nvlinkRxBytes", s => s.NvlinkRxBytes ?? s.NvlinkRxBytesPerSecond),
        ("pcieTxBytes", s => s.PcieTxBytes ?? s.PcieTxBytesPerSecond),
        ("pcieRxBytes", s => s.PcieRxBytes ?? s.PcieRxBytesPerSecond),
        ("throttleReasons", s => s.ThrottleReasons),
    ];

    public static IReadOnlyList<string> Missing(IReadOnlyList<GpuSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        return samples.Count == 0 ? [] : Optional.Where(f => samples.All(s => f.Get(s) is null)).Select(f => f.Name).ToArray();
    }
}
