namespace SolProfiler.Telemetry.Exposition;

/// <summary>One label pair of a sample.</summary>
public readonly record struct Label(string Name, string Value);

/// <summary>
/// One sample line: its full name as written (for example <c>vllm:inter_token_latency_seconds_bucket</c> or
/// <c>foo_total</c>), its labels in the order written, its value, and its timestamp when one was given.
/// </summary>
public sealed record MetricSample(string Name, IReadOnlyList<Label> Labels, double Value, double? TimestampSeconds = null)
{
    /// <summary>The value of a label, or null when the sample does not carry it.</summary>
    public string? LabelValue(string name)
    {
        // Indexed, not foreach: foreach over the IReadOnlyList boxes an enumerator, and adapters ask for labels of
        // every sample of every scrape.
        var labels = Labels;
        for (var i = 0; i < labels.Count; i++)
        {
            if (string.Equals(labels[i].Name, name, StringComparison.Ordinal))
            {
                return labels[i].Value;
            }
        }

        return null;
    }
}

/// <summary>A metric family: samples sharing a base name, with the HELP, TYPE and UNIT metadata seen for it.</summary>
public sealed class MetricFamily(string name, MetricType type)
{
    public string Name { get; } = name;

    public MetricType Type { get; internal set; } = type;

    public string? Help { get; internal set; }

    public string? Unit { get; internal set; }

    public List<MetricSample> Samples { get; } = [];
}

/// <summary>A malformed line or a document-level problem, with the 1-based line number where it was found (0 = whole body).</summary>
public sealed record ExpositionError(int LineNumber, string Message)
{
    public override string ToString() => LineNumber > 0 ? $"line {LineNumber}: {Message}" : Message;
}
