using System.Runtime.InteropServices;

namespace SolProfiler.Telemetry.Gpu.Nvml;

/// <summary>
/// Loads libnvidia-ml once per process and points the <see cref="NvmlNative"/> imports at it through the assembly's
/// DllImport resolver. Order: an explicit path, else <c>SOLPROF_NVML_LIBRARY</c>, else <c>libnvidia-ml.so.1</c> by the
/// system search. P/Invoke stubs bind once, so the first library loaded stays bound; a later request for a different
/// file is refused rather than silently served by the first.
/// </summary>
/// <remarks>
/// .NET allows one DllImport resolver per assembly: the handle is registered with the shared
/// <see cref="NativeLibraries"/> resolver under <see cref="NvmlNative.LibraryName"/>, which also serves DCGM.
/// </remarks>
internal static class NvmlLibrary
{
    public const string EnvironmentVariable = "SOLPROF_NVML_LIBRARY";

    private static readonly Lock Sync = new();
    private static nint s_handle;
    private static string? s_boundPath;
    private static HashSet<string> s_exports = [];

    private static readonly string[] KnownExports =
    [
        "nvmlInit_v2", "nvmlShutdown", "nvmlErrorString", "nvmlSystemGetDriverVersion", "nvmlDeviceGetCount_v2",
        "nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetName", "nvmlDeviceGetUUID", "nvmlDeviceGetPciInfo_v3",
        "nvmlDeviceGetPowerUsage", "nvmlDeviceGetTotalEnergyConsumption", "nvmlDeviceGetEnforcedPowerLimit",
        "nvmlDeviceGetUtilizationRates", "nvmlDeviceGetClockInfo", "nvmlDeviceGetTemperature", "nvmlDeviceGetMemoryInfo",
        "nvmlDeviceGetMemoryInfo_v2", "nvmlDeviceGetCurrentClocksEventReasons", "nvmlDeviceGetTemperatureV",
        "nvmlDeviceGetCurrentClocksThrottleReasons", "nvmlDeviceGetFieldValues", "nvmlDeviceGetPcieThroughput",
        "nvmlGpmQueryDeviceSupport", "nvmlGpmSampleAlloc", "nvmlGpmSampleFree", "nvmlGpmSampleGet", "nvmlGpmMetricsGet",
    ];

    private static readonly string[] RequiredExports =
        ["nvmlInit_v2", "nvmlShutdown", "nvmlErrorString", "nvmlDeviceGetCount_v2", "nvmlDeviceGetHandleByIndex_v2"];

    /// <summary>The path the loader will try for the given option.</summary>
    public static string ResolvePath(string? explicitPath)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            return explicitPath;
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment) ? NvmlNative.LibraryName : fromEnvironment;
    }

    /// <summary>Loads (or reuses) the library; on failure returns a reason for a down snapshot. Never throws.</summary>
    public static bool TryLoad(string? explicitPath, out string? error)
    {
        var path = ResolvePath(explicitPath);
        try
        {
            NvmlLayout.Verify();
        }
        catch (InvalidOperationException ex)
        {
            error = ex.Message;
            return false;
        }

        lock (Sync)
        {
            if (!NativeLibrary.TryLoad(path, out var handle))
            {
                error = $"{NvmlNative.LibraryName} not found (tried \"{path}\"" +
                    (path == NvmlNative.LibraryName ? " by the system library search" : "") + ")";
                return false;
            }

            if (s_handle != 0)
            {
                // dlopen returns the same handle for the same file, whatever path names it.
                NativeLibrary.Free(handle);
                if (handle != s_handle)
                {
                    error = $"NVML is already bound to \"{s_boundPath}\" in this process; cannot switch to \"{path}\"";
                    return false;
                }

                error = null;
                return true;
            }

            var exports = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in KnownExports)
            {
                if (NativeLibrary.TryGetExport(handle, name, out _))
                {
                    exports.Add(name);
                }
            }

            var missing = RequiredExports.Where(name => !exports.Contains(name)).ToList();
            if (missing.Count > 0)
            {
                NativeLibrary.Free(handle);
                error = $"\"{path}\" is not a usable NVML library: missing {string.Join(", ", missing)}";
                return false;
            }

            NativeLibraries.Register(NvmlNative.LibraryName, handle);
            s_exports = exports;
            s_boundPath = path;
            s_handle = handle; // kept loaded for the process: bound stubs point into it
            error = null;
            return true;
        }
    }

    /// <summary>Whether the loaded library exports <paramref name="export"/>.</summary>
    public static bool Has(string export) => s_exports.Contains(export);

    /// <summary>The NVML error text for a code (copied from NVML's static string).</summary>
    public static string ErrorString(NvmlReturn code)
    {
        var text = s_handle == 0 ? null : Marshal.PtrToStringUTF8(NvmlNative.ErrorString(code));
        return string.IsNullOrEmpty(text) ? code.ToString() : text;
    }
}
