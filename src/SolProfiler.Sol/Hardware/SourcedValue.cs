namespace SolProfiler.Sol.Hardware;

/// <summary>A catalog number with where it came from, and whether it is an estimate (no vendor publishes it).</summary>
public sealed record SourcedValue(double Value, string Source, bool Estimate = false, string? Note = null)
{
    public override string ToString() => Estimate ? $"{Value:G4} (estimate; {Source})" : $"{Value:G4} ({Source})";
}
