using SolProfiler.Agent.Configuration;

namespace SolProfiler.Agent.Hosting;

/// <summary>Creates the runtime for validated options; in demo mode, starts the simulated environment first and points the sources at it.</summary>
public static class AgentStartup
{
    public static Task<AgentRuntime> CreateRuntimeAsync(AgentOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        _ = cancellationToken;
        return Task.FromResult(AgentRuntimeFactory.Create(options));
    }
}
