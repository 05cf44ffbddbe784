using System.Runtime.InteropServices;

namespace SolProfiler.Telemetry.Gpu.Nvml;

/// <summary>
/// Source-generated P/Invoke declarations for the NVML subset the agent calls, with the versioned export names.
/// The library name is resolved by <see cref="NvmlLibrary"/> to the handle it loaded. Call only after
/// <see cref="NvmlLibrary.TryLoad"/> succeeded, and optional exports only when <see cref="NvmlLibrary.Has"/> says so.
/// </summary>
internal static partial class NvmlNative
{
    public const string LibraryName = "libnvidia-ml.so.1";

    public const int NameBufferSize = 96;
    public const int UuidBufferSize = 96;
    public const int DriverVersionBufferSize = 80;

    public const int ClockSm = 1;
    public const int ClockMem = 2;
    public const int TemperatureGpu = 0;
    public const int PcieTxBytes = 0;
    public const int PcieRxBytes = 1;

    [LibraryImport(LibraryName, EntryPoint = "nvmlInit_v2")]
    public static partial NvmlReturn InitV2();

    [LibraryImport(LibraryName, EntryPoint = "nvmlShutdown")]
    public static partial NvmlReturn Shutdown();

    /// <summary>Returns a static string owned by NVML: copy it, never free it.</summary>
    [LibraryImport(LibraryName, EntryPoint = "nvmlErrorString")]
    public static partial nint ErrorString(NvmlReturn result);

    [LibraryImport(LibraryName, EntryPoint = "nvmlSystemGetDriverVersion")]
    public static partial NvmlReturn SystemGetDriverVersion(ref byte version, uint length);

    [LibraryImport(LibraryName, EntryPoint = "nvmlDeviceGetCount_v2")]
    public static partial NvmlReturn DeviceGetCountV2(out uint deviceCount);

    [LibraryImport(LibraryName, EntryPoint = "nvmlDeviceGetHandleByIndex_v2")]
    public static partial NvmlReturn DeviceGetHandleByIndexV2(uint index, out nint device);

    [LibraryImport(LibraryName, EntryPoint = "nvmlDeviceGetName")]
    public static partial NvmlReturn DeviceGetName(nint device, ref byte name, uint length);

    [LibraryImport(LibraryName, EntryPoint = "nvmlDeviceGetUUID")]
    public static partial NvmlReturn DeviceGetUuid(nint device, ref byte uuid, uint length);

    [LibraryImport(LibraryName, EntryPoint = "nvmlDeviceGetPciInfo_v3")]
    public static partial NvmlReturn DeviceGetPciInfoV3(nint device, out NvmlPciInfo pci);

    /// <summary>Milliwatts.</summary>
    [LibraryImport(LibraryName, EntryPoint = "nvmlDeviceGetPowerUsage")]
    public static partial NvmlReturn DeviceGetPowerUsage(nint device, out uint milliwatts);

    /// <summary>Millijoules since the driver was last loaded.</summary>
    [LibraryImport(LibraryName, EntryPoint = "nvmlDeviceGetTotalEnergyConsumption")]
    public static partial NvmlReturn DeviceGetTotalEnergyConsumption(nint device, out ulong millijoules);

    /// <summary>Milliwatts.</summary>
    [LibraryImport(LibraryName, EntryPoint = "nvmlDeviceGetEnforcedPowerLimit")]
    public static partial NvmlReturn DeviceGetEnforcedPowerLimit(nint device, out uint milliwatts);

    [LibraryImport(LibraryName, EntryPoint = "nvmlDeviceGetUtilizationRates")]
    public static partial NvmlReturn DeviceGetUtilizationRates(nint device, out NvmlUtilization utilization);

    /// <summary>MHz.</summary>
    [LibraryImport(LibraryName, EntryPoint = "nvmlDeviceGetClockInfo")]
    public static partial NvmlReturn DeviceGetClockInfo(nint device, int clockType, out uint megahertz);

    /// <summary>Degrees Celsius.</summary>
    /// <summary><paramref name="temperature"/>.Version and SensorType must be set by the caller.</summary>
    [LibraryImport(LibraryName, EntryPoint = "nvmlDeviceGetTemperatureV")]
    public static partial NvmlReturn DeviceGetTemperatureV(nint device, ref NvmlTemperatureV1 temperature);

    [LibraryImport(LibraryName, EntryPoint = "nvmlDeviceGetTemperature")]
    public static partial NvmlReturn DeviceGetTemperature(nint device, int sensorType, out uint celsius);

    [LibraryImport(LibraryName, EntryPoint = "nvmlDeviceGetMemoryInfo")]
    public static partial NvmlReturn DeviceGetMemoryInfo(nint device, out NvmlMemoryV1 memory);

    /// <summary><paramref name="memory"/>.Version must be set by the caller.</summary>
    [LibraryImport(LibraryName, EntryPoint = "nvmlDeviceGetMemoryInfo_v2")]
    public static partial NvmlReturn DeviceGetMemoryInfoV2(nint device, ref NvmlMemoryV2 memory);

    [LibraryImport(LibraryName, EntryPoint = "nvmlDeviceGetCurrentClocksEventReasons")]
    public static partial NvmlReturn DeviceGetCurrentClocksEventReasons(nint device, out ulong reasons);

    [LibraryImport(LibraryName, EntryPoint = "nvmlDeviceGetCurrentClocksThrottleReasons")]
    public static partial NvmlReturn DeviceGetCurrentClocksThrottleReasons(nint device, out ulong reasons);

    [LibraryImport(LibraryName, EntryPoint = "nvmlDeviceGetFieldValues")]
    public static partial NvmlReturn DeviceGetFieldValues(nint device, int valuesCount, ref NvmlFieldValue values);

    /// <summary>KB/s over a short (about 20 ms) window.</summary>
    [LibraryImport(LibraryName, EntryPoint = "nvmlDeviceGetPcieThroughput")]
    public static partial NvmlReturn DeviceGetPcieThroughput(nint device, int counter, out uint kilobytesPerSecond);

    [LibraryImport(LibraryName, EntryPoint = "nvmlGpmQueryDeviceSupport")]
    public static partial NvmlReturn GpmQueryDeviceSupport(nint device, ref NvmlGpmSupport gpmSupport);

    [LibraryImport(LibraryName, EntryPoint = "nvmlGpmSampleAlloc")]
    public static partial NvmlReturn GpmSampleAlloc(out nint gpmSample);

    [LibraryImport(LibraryName, EntryPoint = "nvmlGpmSampleFree")]
    public static partial NvmlReturn GpmSampleFree(nint gpmSample);

    [LibraryImport(LibraryName, EntryPoint = "nvmlGpmSampleGet")]
    public static partial NvmlReturn GpmSampleGet(nint device, nint gpmSample);

    [LibraryImport(LibraryName, EntryPoint = "nvmlGpmMetricsGet")]
    public static partial NvmlReturn GpmMetricsGet(ref NvmlGpmMetricsGet metricsGet);
}
