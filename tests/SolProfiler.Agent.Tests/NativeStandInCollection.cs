namespace SolProfiler.Agent.Tests;

/// <summary>The native NVML stand-in keeps process-global state: every test that loads it runs here, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeStandInGroup
{
    public const string Name = "NativeStandIn";
}
