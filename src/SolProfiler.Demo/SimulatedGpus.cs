using SolProfiler.Sol;
using SolProfiler.Telemetry.Gpu;
using SolProfiler.Demo.StandIn;
using SolProfiler.Telemetry.Gpu.Nvml;

namespace SolProfiler.Demo;

/// <summary>
/// The <c>sim</c> GPU backend: the native NVML stand-in, read by the real NVML source, in its driven mode with the
/// demo's GPU model setting its values (<see cref="DemoWorkload"/>: the demo's deployment, 8 x H100 at TP 8, decoding
/// a batch that follows <see cref="LoadCycle"/> over a one-minute period): the one GPU simulator, for <c>--demo</c>
/// and <c>--gpu-backend sim</c> alike. The stand-in is found by <c>--library</c>, <c>SOLPROF_NVML_LIBRARY</c>, or
/// the repository's <c>native/build</c>; it is never picked for <c>nvml</c> or <c>auto</c>.
/// </summary>
public static class SimulatedGpus
{
    /// <summary>The simulated deployment without its server: a shorter cycle than the demo's, so readings move within a watch.</summary>
    private static readonly DemoOptions Deployment = new() { CyclePeriod = TimeSpan.FromMinutes(1) };

    /// <summary>The mean context the simulated sequences hold (the demo's prompt plus half its output).</summary>
    private static double MeanContext => Deployment.PromptTokens + (Deployment.OutputTokens / 2.0);

    /// <param name="library">The stand-in to load; null = found as above.</param>
    public static IGpuSource Create(string? library) => Create(library, TimeProvider.System);

    internal static IGpuSource Create(string? library, TimeProvider time)
    {
        var path = NvmlStandInControl.Locate(library)
            ?? throw new SolInputException($"--gpu-backend sim needs the NVML stand-in: build it with `cmake -S native -B native/build && cmake --build native/build`, or give --gpu-library PATH");
        if (!File.Exists(path))
        {
            throw new SolInputException($"stand-in library '{path}' does not exist");
        }

        var workload = new DemoWorkload(Deployment);
        StandInFeed feed;
        try
        {
            var driver = NvmlStandInControl.ConfigureDriven(path, Deployment.Tp, DemoEnvironment.DeviceName(workload.Gpu));
            feed = new StandInFeed(driver, workload);
            feed.Initialise();
        }
        catch (InvalidOperationException e)
        {
            throw new SolInputException($"--gpu-backend sim: {e.Message}", e);
        }

        var started = time.GetTimestamp();
        var nvml = new NvmlGpuSource(new NvmlGpuSourceOptions { LibraryPath = Path.GetFullPath(path) });
        return new SimulatedSource(nvml, () => feed.Apply(ActivityAt(workload, time.GetElapsedTime(started).TotalSeconds)));
    }

    /// <summary>An NVML source on a stand-in that something else already drives (the demo's server), labelled <c>sim</c>.</summary>
    public static IGpuSource Attach(string standInPath) =>
        new SimulatedSource(new NvmlGpuSource(new NvmlGpuSourceOptions { LibraryPath = Path.GetFullPath(standInPath) }), null);

    /// <summary>What the GPUs do <paramref name="seconds"/> into the cycle: one decode step of the cycle's batch, or idle.</summary>
    internal static GpuActivity ActivityAt(DemoWorkload workload, double seconds)
    {
        var batch = LoadCycle.Target(workload.Options, seconds);
        var activity = new GpuActivityAccumulator();
        if (batch > 0)
        {
            var step = workload.Step(batch, MeanContext);
            activity.Add(step, step.StepSeconds);
        }
        else
        {
            activity.AddIdle(workload.Gpu.IdlePowerWatts.Value, 1);
        }

        return activity.Take()!.Value;
    }

    /// <summary>
    /// The NVML source renamed "sim", so that output never passes simulated numbers off as a real GPU's; with a feed,
    /// the stand-in is set to the simulation's present before each read (the stand-in integrates its counters between).
    /// </summary>
    private sealed class SimulatedSource(NvmlGpuSource inner, Action? feed) : IGpuSource
    {
        public string Backend => "sim";

        public async Task<GpuSnapshot> ReadAsync(CancellationToken cancellationToken = default)
        {
            feed?.Invoke();
            return (await inner.ReadAsync(cancellationToken).ConfigureAwait(false)) with { Backend = Backend };
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
