namespace SolProfiler.Agent.Configuration;

/// <summary>A configuration the agent cannot start with. The message names every bad key; it never holds a secret.</summary>
public sealed class AgentConfigurationException : Exception
{
    public AgentConfigurationException(string message) : base(message) { }

    public AgentConfigurationException() { }

    public AgentConfigurationException(string message, Exception inner) : base(message, inner) { }
}
