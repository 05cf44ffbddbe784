using Microsoft.Extensions.Logging;
using SolProfiler.Agent.Configuration;
using SolProfiler.Agent.Demo;
using SolProfiler.Agent.Sources;
using SolProfiler.Sol;

namespace SolProfiler.Agent.Hosting;

/// <summary>
/// Creates the runtime for validated options. In demo mode it first starts the simulated inference server and the
/// driven GPU stand-in, then points the serving source at the simulated server's /metrics and the GPU source at the
/// stand-in: from there on the agent reads them exactly as it reads real ones.
/// </summary>
public static class AgentStartup
{
    public static async Task<AgentRuntime> CreateRuntimeAsync(AgentOptions options, CancellationToken cancellationToken, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Demo)
        {
            return AgentRuntimeFactory.Create(options);
        }

        // The simulated server logs for as long as it runs: its logger factory lives with the runtime.
        var ownLoggers = loggerFactory is null ? LoggerFactory.Create(b => b.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(LogLevel.Warning)) : null;
        DemoEnvironment demo;
        try
        {
            demo = await DemoEnvironment.StartAsync(options.DemoSettings, loggerFactory ?? ownLoggers!, cancellationToken).ConfigureAwait(false);
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
            var runtime = AgentRuntimeFactory.Create(options, owned, NvmlSources.Attach(demo.NvmlLibraryPath));
            runtime.Demo = demo;
            return runtime;
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
