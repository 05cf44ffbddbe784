namespace SolProfiler.Telemetry.Exposition;

/// <summary>
/// A parsed scrape. Families are keyed by their base name; <see cref="Samples(string)"/> finds samples by their full
/// sample name whatever family they were filed under (so <c>foo_total</c>, <c>foo_bucket</c> and an untyped
/// <c>foo_sum</c> are all found the same way, with or without <c># TYPE</c> lines).
/// </summary>
public sealed class ExpositionDocument
{
    private readonly Dictionary<string, List<MetricSample>> _bySampleName;

    public ExpositionDocument(
        ExpositionFormat format,
        IReadOnlyDictionary<string, MetricFamily> families,
        int lineErrorCount,
        IReadOnlyList<ExpositionError> errors,
        IReadOnlyList<ExpositionError> problems,
        long bytes)
    {
        ArgumentNullException.ThrowIfNull(families);
        Format = format;
        Families = families;
        LineErrorCount = lineErrorCount;
        Errors = errors;
        Problems = problems;
        Bytes = bytes;
        _bySampleName = new Dictionary<string, List<MetricSample>>(StringComparer.Ordinal);
        foreach (var family in families.Values)
        {
            foreach (var sample in family.Samples)
            {
                if (!_bySampleName.TryGetValue(sample.Name, out var list))
                {
                    _bySampleName[sample.Name] = list = [];
                }

                list.Add(sample);
                SeriesCount++;
            }
        }
    }

    public ExpositionFormat Format { get; }

    public IReadOnlyDictionary<string, MetricFamily> Families { get; }

    /// <summary>Malformed lines skipped (every one counted; the rest of the body is kept).</summary>
    public int LineErrorCount { get; }

    /// <summary>The first malformed lines with their line numbers.</summary>
    public IReadOnlyList<ExpositionError> Errors { get; }

    /// <summary>
    /// Document-level problems that make the scrape untrustworthy: duplicate series, a histogram without its
    /// <c>+Inf</c> bucket, an OpenMetrics body without <c># EOF</c> (truncated).
    /// </summary>
    public IReadOnlyList<ExpositionError> Problems { get; }

    public long Bytes { get; }

    public int SeriesCount { get; }

    /// <summary>Every distinct sample name in the body.</summary>
    public IEnumerable<string> SampleNames => _bySampleName.Keys;

    public bool Contains(string sampleName) => _bySampleName.ContainsKey(sampleName);

    /// <summary>Samples with this exact sample name; empty when none.</summary>
    public IReadOnlyList<MetricSample> Samples(string sampleName) =>
        _bySampleName.TryGetValue(sampleName, out var list) ? list : [];
}
