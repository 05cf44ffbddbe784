using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Serving;

/// <summary>Reads one server family's metric names into <see cref="ServingSample"/>s.</summary>
public interface IServingAdapter
{
    ServerKind Kind { get; }

    /// <summary>How strongly the document looks like this server: the number of its signature sample names present (0 = not this server).</summary>
    int Score(ExpositionDocument document);

    /// <summary>One sample per engine / rank / model found in the document.</summary>
    IReadOnlyList<ServingSample> Read(ExpositionDocument document, DateTimeOffset timestamp);
}
