namespace SolProfiler.Telemetry.Exposition;

/// <summary>What the descriptors of one family said, with the lines of its TYPE and HELP for the errors about a second one.</summary>
internal sealed class FamilyMeta(string name)
{
    public string Name { get; } = name;

    public MetricType? Type { get; set; }

    public int TypeLine { get; set; }

    public string? Help { get; set; }

    public int HelpLine { get; set; }

    public string? Unit { get; set; }
}
