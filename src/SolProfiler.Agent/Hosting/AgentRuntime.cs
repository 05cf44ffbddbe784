using SolProfiler.Analysis;
using SolProfiler.Agent.Configuration;
using SolProfiler.Agent.Sources;
using SolProfiler.Telemetry.Gpu;
using SolProfiler.Telemetry.Serving.Scraping;

namespace SolProfiler.Agent.Hosting;

/// <summary>
/// What the options resolved to at start: the sources, their health, the SOL setup and the intervals. One per
/// process, shared by the loops, the exporters and the endpoints.
/// </summary>
public sealed class AgentRuntime : IAsyncDisposable
{
    public required AgentOptions Options { get; init; }

    public ServingEndpoint? Serving { get; init; }

    public SourceHealth? ServingHealth { get; init; }

    public IGpuSource? Gpu { get; init; }

    public SourceHealth? GpuHealth { get; init; }

    public required SolSetup Sol { get; init; }

    /// <summary>What the sources tell about the deployment, reconciled with the options (model: auto, unset TP and KV).</summary>
    public required ServerFacts ServerFacts { get; init; }

    /// <summary>The client the sources share (also for the served-model lookup); owned, disposed with <see cref="Owned"/>.</summary>
    public HttpClient? Http { get; init; }

    /// <summary>Owned resources (the HTTP client, the demo's simulated server) disposed with the runtime.</summary>
    public IReadOnlyList<IAsyncDisposable> Owned { get; init; } = [];

    public TimeSpan ServingInterval => Options.Serving.Interval;

    public TimeSpan SampleInterval => Options.SampleInterval;

    public IEnumerable<SourceHealth> Sources => new[] { ServingHealth, GpuHealth }.OfType<SourceHealth>();

    public async ValueTask DisposeAsync()
    {
        if (Gpu is not null)
        {
            await Gpu.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var owned in Owned.Reverse())
        {
            await owned.DisposeAsync().ConfigureAwait(false);
        }
    }
}
