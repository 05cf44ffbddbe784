namespace SolProfiler.Telemetry.Gpu.Dcgm;

public sealed record DcgmGpuSourceOptions
{
    /// <summary>
    /// Path of libdcgm to load. Null: the <c>SOLPROF_DCGM_LIBRARY</c> environment variable, else <c>libdcgm.so.4</c>
    /// then <c>libdcgm.so.3</c> by the system library search.
    /// </summary>
    public string? LibraryPath { get; init; }

    /// <summary>"host[:port]" of a standalone nv-hostengine (port 5555 by default); null: start an embedded engine.</summary>
    public string? HostEngineAddress { get; init; }

    /// <summary>How often DCGM refreshes the watched fields (profiling fields need at least 100 ms).</summary>
    public TimeSpan UpdateInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Connect timeout for a standalone host engine.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Clock for sample timestamps and the reconnect back-off (tests may pass a fake).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
