using System.Runtime.InteropServices;

namespace SolProfiler.Telemetry.Gpu.Nvml;

/// <summary>
/// Drives the native NVML stand-in (<c>native/nvml</c>) through its back door, for the <c>sim</c> backend and the demo:
/// set the GPU count and names, and switch on the workload driver that makes the readings move. Never used against a
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

    /// <summary>Sets the simulated GPUs (1..16, all with the same device name) and starts the workload driver.</summary>
    public static unsafe void Configure(string libraryPath, int gpuCount, string deviceName)
    {
        // Kept loaded for the life of the process: freeing the last reference would unload the stand-in and drop
        // the state set here before the binding loads it.
        var handle = NativeLibrary.Load(Path.GetFullPath(libraryPath));
        {
            var setCount = (delegate* unmanaged[Cdecl]<uint, int>)Export(handle, "solprof_nvml_set_device_count");
            var setName = (delegate* unmanaged[Cdecl]<uint, byte*, int>)Export(handle, "solprof_nvml_set_device_name");
            var setWorkload = (delegate* unmanaged[Cdecl]<int, int>)Export(handle, "solprof_nvml_set_workload");
            Check(setCount((uint)gpuCount), "set_device_count");
            var name = System.Text.Encoding.UTF8.GetBytes(deviceName + "\0");
            fixed (byte* p = name)
            {
                for (uint i = 0; i < gpuCount; i++)
                {
                    Check(setName(i, p), "set_device_name");
                }
            }

            Check(setWorkload(1), "set_workload");
        }
    }

    private static IntPtr Export(IntPtr handle, string name) =>
        NativeLibrary.TryGetExport(handle, name, out var address)
            ? address
            : throw new InvalidOperationException($"{name} is not exported: this is not the SolProfiler NVML stand-in");

    private static void Check(int code, string what)
    {
        if (code != 0)
        {
            throw new InvalidOperationException($"stand-in {what} returned NVML error {code}");
        }
    }
}
