using Microsoft.Extensions.Logging;
using SolProfiler.Demo.StandIn;

namespace SolProfiler.Demo;

/// <summary>
/// What <c>solprof agent --demo</c> reads: a simulated vLLM server on 127.0.0.1 and the native NVML stand-in in its
/// driven mode, with TP GPUs whose readings follow the simulation (time-weighted over the steps between wake-ups).
/// The agent reads both exactly as it reads real ones: <see cref="MetricsUrl"/> and an NVML source on
/// <see cref="NvmlLibraryPath"/>. The stand-in is process-global: one environment per process at a time.
/// </summary>
public sealed class DemoEnvironment : IAsyncDisposable
{
    private readonly SimulatedInferenceServer _server;

    private DemoEnvironment(SimulatedInferenceServer server, string nvmlLibraryPath)
    {
        _server = server;
        NvmlLibraryPath = nvmlLibraryPath;
    }

    public DemoOptions Options => _server.Options;

    /// <summary>http://127.0.0.1:PORT/metrics</summary>
    public Uri MetricsUrl => _server.MetricsUrl;

    /// <summary>http://127.0.0.1:PORT/v1</summary>
    public Uri BaseUrl => _server.ApiBaseUrl;

    public string ModelName => _server.ModelName;

    /// <summary>The NVML stand-in being driven; point an NVML source at it.</summary>
    public string NvmlLibraryPath { get; }

    /// <summary>The latest simulated step: the truth a test compares the agent's findings with.</summary>
    public DemoStep Current => _server.Current;

    /// <summary>The engine's truth summed over its steps since start (<see cref="DemoTruth"/>).</summary>
    public DemoTruth Truth => _server.Truth;

    public DemoWorkload Workload => _server.Workload;

    public static async Task<DemoEnvironment> StartAsync(DemoOptions options, ILoggerFactory loggerFactory, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var workload = new DemoWorkload(options); // validates before anything is loaded or bound
        var path = LocateStandIn(options);
        var deviceName = DeviceName(workload.Gpu);
        var driver = NvmlStandInControl.ConfigureDriven(path, options.Tp, deviceName);
        var feed = new StandInFeed(driver, workload);
        feed.Initialise();
        var logger = loggerFactory.CreateLogger<DemoEnvironment>();
        DemoLog.StandInDriven(logger, driver.LibraryPath, options.Tp, deviceName);
        var server = await SimulatedInferenceServer.StartAsync(options, loggerFactory, feed.Apply, cancellationToken: ct);
        return new DemoEnvironment(server, driver.LibraryPath);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    /// <summary>
    /// The name NVML would report, so that GPU detection picks the catalog entry back: the first device-name pattern
    /// that is a plain anchored literal (e.g. <c>^NVIDIA H100 80GB HBM3$</c>), else the catalog's display name.
    /// </summary>
    internal static string DeviceName(SolProfiler.Sol.Hardware.GpuSpec gpu)
    {
        foreach (var pattern in gpu.DeviceNamePatterns)
        {
            var literal = pattern.TrimStart('^').TrimEnd('$');
            if (literal.Length > 0 && literal.IndexOfAny(['[', ']', '(', ')', '*', '+', '?', '\\', '|', '{', '}', '.']) < 0)
            {
                return literal;
            }
        }

        return gpu.Name;
    }

    private static string LocateStandIn(DemoOptions options)
    {
        var path = NvmlStandInControl.Locate(options.NvmlLibraryPath)
            ?? throw new FileNotFoundException(
                $"demo: the NVML stand-in ({NvmlStandInControl.RelativeBuildPath}) was not found above {Environment.CurrentDirectory} or {AppContext.BaseDirectory}. "
                + $"Build it from the repository root: cmake -S native -B native/build && cmake --build native/build (or set {NvmlStandInControl.EnvironmentVariable}).");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"demo: the NVML stand-in {path} does not exist. Build it: cmake -S native -B native/build && cmake --build native/build", path);
    }
}
