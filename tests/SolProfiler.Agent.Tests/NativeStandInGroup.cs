namespace SolProfiler.Agent.Tests;

/// <summary>The NVML stand-in keeps global state in the process: every test that loads it runs alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeStandInGroup
{
    public const string Name = "NativeStandIn";
}
