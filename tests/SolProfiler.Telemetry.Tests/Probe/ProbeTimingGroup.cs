namespace SolProfiler.Telemetry.Tests.Probe;

/// <summary>Tests that time a live loopback server run alone, not beside CPU-heavy tests of other classes.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProbeTimingGroup
{
    public const string Name = "Probe timing";
}
