namespace SolProfiler.Demo.StandIn;

/// <summary>
/// Drives the native NVML stand-in (<c>native/nvml</c>) through its back door, for the <c>sim</c> backend and the demo:
/// set the GPU count and names, and switch it to the driven workload, whose readings follow what
/// <see cref="NvmlStandInDriver"/> sets (the demo's GPU model). Never used against a
/// real driver: the real library has none of these exports, and calling this on it fails with a clear message.
/// </summary>
public static class NvmlStandInControl
{
    public const string RelativeBuildPath = "native/build/nvml/libnvidia-ml.so.1";

    /// <summary>Names the stand-in to load when no path is given (the NVML source honours it too).</summary>
    public const string EnvironmentVariable = "SOLPROF_NVML_LIBRARY";

    /// <summary>
    /// The stand-in to load, for the demo and the <c>sim</c> backend alike: <paramref name="explicitPath"/>, else
    /// <see cref="EnvironmentVariable"/>, else a build above the working directory or the executable; null when there
    /// is none. Whether the path exists is the caller's to check, with its own message.
    /// </summary>
    public static string? Locate(string? explicitPath) =>
        !string.IsNullOrWhiteSpace(explicitPath) ? explicitPath
        : Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } named ? named
        : FindBuilt(Environment.CurrentDirectory) ?? FindBuilt(AppContext.BaseDirectory);

    /// <summary>Finds a built stand-in under the repository that holds <paramref name="startFolder"/>, walking up.</summary>
    public static string? FindBuilt(string startFolder)
    {
        for (var dir = new DirectoryInfo(startFolder); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, RelativeBuildPath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// Sets the simulated GPUs and switches the stand-in to the driven workload: readings hold what the returned
    /// driver sets, and the energy and NVLink counters integrate the power and link rates set.
    /// </summary>
    public static NvmlStandInDriver ConfigureDriven(string libraryPath, int gpuCount, string deviceName)
    {
        var driver = NvmlStandInDriver.Load(libraryPath);
        driver.SetGpus(gpuCount, deviceName);
        driver.SetWorkload(NvmlStandInDriver.DrivenWorkload);
        return driver;
    }
}
