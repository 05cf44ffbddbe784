namespace SolProfiler.Telemetry.Gpu.Nvml;

public sealed record NvmlGpuSourceOptions
{
    /// <summary>
    /// Path of libnvidia-ml to load. Null: the <c>SOLPROF_NVML_LIBRARY</c> environment variable, else
    /// <c>libnvidia-ml.so.1</c> by the system library search.
    /// </summary>
    public string? LibraryPath { get; init; }

    /// <summary>Clock for sample timestamps and PCIe integration (tests may pass a fake).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
