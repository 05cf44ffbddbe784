using SolProfiler.Sol;
using SolProfiler.Telemetry.Gpu;
using SolProfiler.Telemetry.Gpu.Nvml;

namespace SolProfiler.Agent.Sources;

/// <summary>
/// The NVML backend on the real driver library (<c>nvml</c>), or on the native stand-in with its workload driver
/// running (<c>sim</c>: 8 simulated H100s). The stand-in is found by <c>--library</c>, <c>SOLPROF_NVML_LIBRARY</c>,
/// or the repository's <c>native/build</c>; it is never picked for <c>nvml</c> or <c>auto</c>.
/// </summary>
public static class NvmlSources
{
    public const int SimulatedGpus = 8;
    public const string SimulatedDeviceName = "NVIDIA H100 80GB HBM3";

    public static IGpuSource Create(GpuBackendRequest request)
    {
        if (request.Backend == "nvml")
        {
            return new NvmlGpuSource(new NvmlGpuSourceOptions { LibraryPath = request.Library });
        }

        var path = request.Library
            ?? Environment.GetEnvironmentVariable("SOLPROF_NVML_LIBRARY")
            ?? NvmlStandInControl.FindBuilt(Environment.CurrentDirectory)
            ?? NvmlStandInControl.FindBuilt(AppContext.BaseDirectory)
            ?? throw new SolInputException($"--backend sim needs the NVML stand-in: build it with `cmake -S native -B native/build && cmake --build native/build`, or give --library PATH");
        if (!File.Exists(path))
        {
            throw new SolInputException($"stand-in library '{path}' does not exist");
        }

        try
        {
            NvmlStandInControl.Configure(path, SimulatedGpus, SimulatedDeviceName);
        }
        catch (InvalidOperationException e)
        {
            throw new SolInputException($"--backend sim: {e.Message}", e);
        }

        return new SimulatedSource(new NvmlGpuSource(new NvmlGpuSourceOptions { LibraryPath = Path.GetFullPath(path) }));
    }

    /// <summary>An NVML source on a stand-in that something else already drives (the demo), labelled <c>sim</c>.</summary>
    public static IGpuSource Attach(string standInPath) =>
        new SimulatedSource(new NvmlGpuSource(new NvmlGpuSourceOptions { LibraryPath = Path.GetFullPath(standInPath) }));

    /// <summary>The NVML source renamed "sim", so that output never passes simulated numbers off as a real GPU's.</summary>
    private sealed class SimulatedSource(NvmlGpuSource inner) : IGpuSource
    {
        public string Backend => "sim";

        public async Task<GpuSnapshot> ReadAsync(CancellationToken cancellationToken = default) =>
            (await inner.ReadAsync(cancellationToken).ConfigureAwait(false)) with { Backend = Backend };

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
