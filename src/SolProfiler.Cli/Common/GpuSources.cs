using SolProfiler.Agent.Sources;
using SolProfiler.Demo;

namespace SolProfiler.Cli.Common;

/// <summary>The GPU backends every command offers: the agent's, with <c>sim</c> (the demo's simulated GPUs) plugged in.</summary>
public static class GpuSources
{
    public static GpuBackendChoice Create(GpuBackendRequest request, HttpClient http) => GpuSourceFactory.Create(request, http, SimulatedGpus.Create);
}
