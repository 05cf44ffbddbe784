namespace SolProfiler.Sol.Hardware;

/// <summary>How a fabric can run an all-reduce (DESIGN.md section 3, "collectives").</summary>
public enum CollectiveAlgorithm
{
    Ring,
    OneShot,
    InSwitch,
}
