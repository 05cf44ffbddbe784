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
