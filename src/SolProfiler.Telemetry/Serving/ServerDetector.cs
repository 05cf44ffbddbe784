using SolProfiler.Telemetry.Exposition;
using SolProfiler.Telemetry.Serving.Adapters;

namespace SolProfiler.Telemetry.Serving;

/// <summary>Picks the inference-server family of a scrape from its metric names (never from its port).</summary>
public static class ServerDetector
{
    /// <summary>Most prefixes listed in <c>FamiliesSeen</c>; beyond it a last entry says how many were left out.</summary>
    public const int MaxFamiliesListed = 24;

    /// <summary>
    /// Every adapter, in tie-break order: when two score the same, the earlier wins (vLLM V1 before v0, whose names
    /// overlap in 0.8-0.10).
    /// </summary>
    public static IReadOnlyList<IServingAdapter> All { get; } =
    [
        new VllmAdapter(),
        new VllmV0Adapter(),
        new SglangAdapter(),
        new TgiAdapter(),
        new TrtLlmAdapter(),
        new TritonTrtLlmAdapter(),
        new LlamaCppAdapter(),
        new DynamoAdapter(),
        new NimAdapter(),
    ];

    /// <summary>The adapter for a kind; null for <see cref="ServerKind.Unknown"/>.</summary>
    public static IServingAdapter? For(ServerKind kind) => All.FirstOrDefault(a => a.Kind == kind);

    /// <summary>
    /// The best-scoring adapter (a forced kind wins whatever the scores), or Unknown with a null adapter when no
    /// adapter recognises any name. <c>FamiliesSeen</c> always lists the distinct name prefixes of the scrape
    /// (<c>vllm:</c>, <c>node_</c>, ...), sorted and bounded, for messages.
    /// </summary>
    public static (ServerKind Kind, IServingAdapter? Adapter, IReadOnlyList<string> FamiliesSeen) Detect(ExpositionDocument doc, ServerKind? forced = null)
    {
        ArgumentNullException.ThrowIfNull(doc);
        var families = FamilyPrefixes(doc);
        if (forced is { } kind && kind != ServerKind.Unknown && For(kind) is { } chosen)
        {
            return (kind, chosen, families);
        }

        IServingAdapter? best = null;
        var bestScore = 0;
        foreach (var adapter in All)
        {
            var score = adapter.Score(doc);
            if (score > bestScore)
            {
                best = adapter;
                bestScore = score;
            }
        }

        return best is null ? (ServerKind.Unknown, null, families) : (best.Kind, best, families);
    }

    /// <summary>
    /// Distinct name prefixes: up to and including the first ':' (<c>vllm:</c>), else up to and including the first
    /// '_' (<c>tgi_</c>, <c>node_</c>), else the whole name. Sorted ordinally, at most <see cref="MaxFamiliesListed"/>.
    /// </summary>
    public static IReadOnlyList<string> FamilyPrefixes(ExpositionDocument doc)
    {
        ArgumentNullException.ThrowIfNull(doc);
        var prefixes = doc.SampleNames.Select(PrefixOf).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (prefixes.Count <= MaxFamiliesListed)
        {
            return prefixes;
        }

        var kept = prefixes.Take(MaxFamiliesListed).ToList();
        kept.Add($"... ({prefixes.Count - MaxFamiliesListed} more)");
        return kept;
    }

    private static string PrefixOf(string name)
    {
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0)
        {
            return name[..(colon + 1)];
        }

        var underscore = name.IndexOf('_', StringComparison.Ordinal);
        return underscore > 0 ? name[..(underscore + 1)] : name;
    }
}
