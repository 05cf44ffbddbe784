using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using SolProfiler.Agent.Configuration;
using SolProfiler.Agent.Hosting;
using SolProfiler.Demo;
using SolProfiler.Sol;

namespace SolProfiler.Cli.Agent;

/// <summary>The agent's runtime and, in demo mode, the simulated deployment it reads (the truth tests compare with).</summary>
public sealed record AgentLaunch(AgentRuntime Runtime, DemoEnvironment? Demo);

/// <summary>
/// Where <c>solprof agent</c> composes the agent with the demo: the configuration with the demo's defaults and its
/// <c>demoSettings</c> section, then, in demo mode, the simulated inference server and the driven GPU stand-in
/// started first, the serving source pointed at the simulated server's /metrics and the GPU source at the stand-in.
/// From there on the agent reads them exactly as it reads real ones; the host never references the demo.
/// </summary>
public static class AgentStartup
{
    /// <summary>The demo's part of the configuration, bound into <paramref name="settings"/>.</summary>
    public static DemoConfiguration DemoConfiguration(DemoOptions settings) => new(
        DemoDefaults.Values,
        "demoSettings",
        SettingsShape.Of<DemoOptions>(),
        (section, errorOnUnknown) => section.Bind(settings, o => o.ErrorOnUnknownConfiguration = errorOnUnknown),
        ["cyclePeriod"]);

    /// <summary>Loads and validates the configuration (the demo's section included).</summary>
    public static (AgentOptions Options, DemoOptions DemoSettings) Load(string? configFile, IReadOnlyDictionary<string, string?> flags, IDictionary<string, string?>? environment = null)
    {
        var demoSettings = new DemoOptions();
        var options = AgentConfiguration.Load(configFile, flags, environment, DemoConfiguration(demoSettings));
        return (options, demoSettings);
    }

    public static async Task<AgentLaunch> CreateRuntimeAsync(AgentOptions options, DemoOptions demoSettings, CancellationToken cancellationToken, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(demoSettings);
        if (!options.Demo)
        {
            return new AgentLaunch(AgentRuntimeFactory.Create(options, simulated: SimulatedGpus.Create), null);
        }

        // The simulated server logs for as long as it runs: its logger factory lives with the runtime.
        var ownLoggers = loggerFactory is null ? LoggerFactory.Create(b => b.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(LogLevel.Warning)) : null;
        DemoEnvironment demo;
        try
        {
            demo = await DemoEnvironment.StartAsync(demoSettings, loggerFactory ?? ownLoggers!, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SolInputException or InvalidOperationException)
        {
            ownLoggers?.Dispose();
            throw new AgentConfigurationException(e.Message.StartsWith("demo", StringComparison.Ordinal) ? e.Message : "demo: " + e.Message, e);
        }

        options.Serving.Url = demo.MetricsUrl.ToString();
        options.Serving.Kind = "vllm";
        options.GpuSource.Backend = "sim";
        options.GpuSource.Library = demo.NvmlLibraryPath;
        try
        {
            IAsyncDisposable[] owned = ownLoggers is null ? [demo] : [new DisposeOnly(ownLoggers), demo];
            return new AgentLaunch(AgentRuntimeFactory.Create(options, owned, SimulatedGpus.Attach(demo.NvmlLibraryPath)), demo);
        }
        catch
        {
            await demo.DisposeAsync().ConfigureAwait(false);
            ownLoggers?.Dispose();
            throw;
        }
    }

    private sealed class DisposeOnly(IDisposable inner) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            inner.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
