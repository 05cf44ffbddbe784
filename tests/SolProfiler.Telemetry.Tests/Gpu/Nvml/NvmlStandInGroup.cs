namespace SolProfiler.Telemetry.Tests.Gpu.Nvml;

/// <summary>
/// The NVML stand-in keeps global state in the process: its tests run alone, one at a time. (xUnit reads a collection
/// definition only from the test assembly itself, so it is here, not beside the stand-in's helper.)
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NvmlStandInGroup
{
    public const string Name = "NVML stand-in";
}
