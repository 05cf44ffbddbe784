using System.Runtime.InteropServices;
using System.Text;

namespace SolProfiler.Demo.StandIn;

/// <summary>
/// Holds the loaded NVML stand-in and its back-door entry points, to drive its readings from outside (the demo's
/// simulated GPUs). Values are set in the stand-in's own units and keys (<c>power_mw</c>, <c>util_gpu</c>, ...; see
/// <c>native/nvml/nvml_standin.h</c>). The stand-in is process-global: every driver of one path drives the same GPUs.
/// </summary>
public sealed unsafe class NvmlStandInDriver
{
    /// <summary>The <c>index</c> that addresses every GPU at once.</summary>
    public const uint AllGpus = uint.MaxValue;

    /// <summary>The stand-in's workload mode in which values are set from outside and only the counters integrate them.</summary>
    public const int DrivenWorkload = 2;

    // Keys are short ASCII names; a fixed buffer avoids allocating on every set (the demo sets values several times a second).
    private const int MaxKeyBytes = 64;

    private readonly delegate* unmanaged[Cdecl]<uint, int> _setCount;
    private readonly delegate* unmanaged[Cdecl]<uint, byte*, int> _setName;
    private readonly delegate* unmanaged[Cdecl]<int, int> _setWorkload;
    private readonly delegate* unmanaged[Cdecl]<uint, byte*, double, int> _setValue;

    private NvmlStandInDriver(string libraryPath, IntPtr handle)
    {
        LibraryPath = libraryPath;
        _setCount = (delegate* unmanaged[Cdecl]<uint, int>)Export(handle, "solprof_nvml_set_device_count");
        _setName = (delegate* unmanaged[Cdecl]<uint, byte*, int>)Export(handle, "solprof_nvml_set_device_name");
        _setWorkload = (delegate* unmanaged[Cdecl]<int, int>)Export(handle, "solprof_nvml_set_workload");
        _setValue = (delegate* unmanaged[Cdecl]<uint, byte*, double, int>)Export(handle, "solprof_nvml_set_value");
    }

    /// <summary>The absolute path the stand-in was loaded from (what an NVML source should be pointed at).</summary>
    public string LibraryPath { get; }

    /// <summary>
    /// Loads the stand-in. It stays loaded for the life of the process: unloading the last reference would drop the
    /// state set here before the NVML binding loads the same file.
    /// </summary>
    public static NvmlStandInDriver Load(string libraryPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(libraryPath);
        var full = Path.GetFullPath(libraryPath);
        return new NvmlStandInDriver(full, NativeLibrary.Load(full));
    }

    /// <summary>Sets the simulated GPUs (1..16, all named <paramref name="deviceName"/>).</summary>
    public void SetGpus(int gpuCount, string deviceName)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(gpuCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(gpuCount, 16);
        ArgumentNullException.ThrowIfNull(deviceName);
        Check(_setCount((uint)gpuCount), "set_device_count");
        var name = Encoding.UTF8.GetBytes(deviceName + "\0");
        fixed (byte* p = name)
        {
            for (uint i = 0; i < gpuCount; i++)
            {
                Check(_setName(i, p), "set_device_name");
            }
        }
    }

    /// <summary>0 off, 1 the built-in sine driver, 2 driven (<see cref="DrivenWorkload"/>).</summary>
    public void SetWorkload(int mode) => Check(_setWorkload(mode), "set_workload");

    /// <summary>Sets one value on one GPU, or on every GPU with <see cref="AllGpus"/>.</summary>
    public void SetValue(string key, double value, uint gpu = AllGpus)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        Span<byte> buffer = stackalloc byte[MaxKeyBytes + 1];
        if (Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
        {
            throw new ArgumentException($"stand-in key '{key}' is longer than {MaxKeyBytes} bytes", nameof(key));
        }

        var length = Encoding.UTF8.GetBytes(key, buffer);
        buffer[length] = 0;
        fixed (byte* p = buffer)
        {
            Check(_setValue(gpu, p, value), $"set_value({key})");
        }
    }

    /// <summary>Sets several values on one GPU or on all; the stand-in rejects unknown keys.</summary>
    public void SetValues(IReadOnlyDictionary<string, double> values, uint gpu = AllGpus)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var (key, value) in values)
        {
            SetValue(key, value, gpu);
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
