namespace SolProfiler.Demo.Tests;

/// <summary>
/// The NVML stand-in keeps global state in the process: every test that loads it runs alone. (xUnit reads a collection
/// definition only from the test assembly itself.)
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeStandInGroup
{
    public const string Name = "NativeStandIn";
}
