using System.Runtime.InteropServices;
using SolProfiler.Sol;
using SolProfiler.Telemetry.Gpu;
using SolProfiler.Telemetry.Gpu.Dcgm;
using SolProfiler.Telemetry.Gpu.Nvml;
using SolProfiler.Telemetry.Gpu.DcgmExporter;

namespace SolProfiler.Agent.Sources;

/// <summary>What the user asked for: a backend name and where to find it.</summary>
public sealed record GpuBackendRequest(GpuBackendKind Backend, string? Library, string? Url, string? File, TimeSpan Timeout, string? DcgmHost = null);

/// <summary>The source chosen, and for <c>auto</c> a line saying what was chosen and why.</summary>
public sealed record GpuBackendChoice(IGpuSource Source, string? Explanation);

/// <summary>
/// Builds the GPU source for a backend. <c>auto</c> tries DCGM, then NVML, by looking for their libraries, and says
/// what it found; the stand-ins (<c>sim</c>) are never chosen automatically.
/// </summary>
public static class GpuSourceFactory
{
    private static readonly string[] DcgmLibraries = ["libdcgm.so.4", "libdcgm.so.3"];
    private const string NvmlLibrary = "libnvidia-ml.so.1";

    /// <param name="simulated">Makes the <c>sim</c> backend from the stand-in library given (the demo's simulated GPUs); null = no <c>sim</c>.</param>
    public static GpuBackendChoice Create(GpuBackendRequest request, HttpClient http, Func<string?, IGpuSource>? simulated = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var (setting, message) in GpuSourceRules.Check(request, GpuSourceRules.Flag))
        {
            throw new SolInputException($"{GpuSourceRules.Flag(setting)}: {message}");
        }

        return request.Backend switch
        {
            GpuBackendKind.DcgmExporter => new GpuBackendChoice(DcgmExporter(request, http), null),
            GpuBackendKind.Dcgm => new GpuBackendChoice(Dcgm(request), null),
            GpuBackendKind.Nvml => new GpuBackendChoice(Nvml(request.Library), null),
            GpuBackendKind.Sim => simulated is null
                ? throw new SolInputException("the sim backend (simulated GPUs) is not part of this host")
                : new GpuBackendChoice(simulated(request.Library), null),
            GpuBackendKind.Auto => Auto(request),
            _ => throw new SolInputException($"GPU backend {GpuBackendNames.Name(request.Backend)} opens no source"),
        };
    }

    private static NvmlGpuSource Nvml(string? library) => new(new NvmlGpuSourceOptions { LibraryPath = library });

    /// <summary>A saved body or a live exporter (<see cref="GpuSourceRules"/> has checked that exactly one is given).</summary>
    private static DcgmExporterGpuSource DcgmExporter(GpuBackendRequest request, HttpClient http) =>
        request.File is { } path ? DcgmExporterGpuSource.ForFile(path) : DcgmExporterGpuSource.ForUrl(http, new Uri(request.Url!), request.Timeout);

    private static GpuBackendChoice Auto(GpuBackendRequest request)
    {
        var dcgm = DcgmLibraries.FirstOrDefault(Loadable);
        var nvml = Loadable(NvmlLibrary);
        if (dcgm is not null)
        {
            var where = request.DcgmHost is null ? "embedded host engine" : $"host engine at {request.DcgmHost}";
            return new GpuBackendChoice(Dcgm(request with { Backend = GpuBackendKind.Dcgm }), $"backend auto: chose dcgm ({dcgm} found; {where})");
        }

        if (nvml)
        {
            return new GpuBackendChoice(Nvml(request.Library), $"backend auto: chose nvml ({NvmlLibrary} found, no DCGM library)");
        }

        var reason = $"no NVIDIA library found: neither {string.Join(" nor ", DcgmLibraries)} (DCGM) nor {NvmlLibrary} (NVML, comes with the driver) can be loaded; on a machine without GPUs use --gpu-backend sim, or read a dcgm-exporter with --gpu-backend dcgm-exporter --dcgm-exporter-url URL";
        return new GpuBackendChoice(new UnavailableGpuSource("auto", reason), null);
    }

    /// <summary>DCGM embedded in this process, or connected to a running nv-hostengine (host:port or a unix socket path).</summary>
    private static DcgmGpuSource Dcgm(GpuBackendRequest request) =>
        new(new DcgmGpuSourceOptions { LibraryPath = request.Library, HostEngineAddress = request.DcgmHost });

    private static bool Loadable(string name)
    {
        if (!NativeLibrary.TryLoad(name, out var handle))
        {
            return false;
        }

        NativeLibrary.Free(handle);
        return true;
    }
}
