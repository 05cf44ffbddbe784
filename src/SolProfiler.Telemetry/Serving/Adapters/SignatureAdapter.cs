using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Serving.Adapters;

/// <summary>An adapter recognised by how many of a fixed list of signature sample names a body holds.</summary>
public abstract class SignatureAdapter(ServerKind kind, IReadOnlyList<string> signature) : IServingAdapter
{
    public ServerKind Kind { get; } = kind;

    public int Score(ExpositionDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return DocumentReading.CountPresent(document, signature);
    }

    public abstract IReadOnlyList<ServingSample> Read(ExpositionDocument document, DateTimeOffset timestamp);
}
