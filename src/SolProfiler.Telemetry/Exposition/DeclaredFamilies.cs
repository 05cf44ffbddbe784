using System.Diagnostics.CodeAnalysis;

namespace SolProfiler.Telemetry.Exposition;

/// <summary>
/// For <see cref="ExpositionDocumentBuilder"/>: the families the body declares (the TYPE, HELP and UNIT read so far,
/// by name), the first line of each sample name, and which family a sample name belongs to by the suffixes each type
/// allows. Names are interned by the builder's <see cref="Utf8Interner"/>, so a family resolves to the same string.
/// </summary>
internal sealed class DeclaredFamilies
{
    // Longest family name whose suffixed sample names are looked up in a stack buffer (longer ones: a concatenation).
    private const int StackNameChars = 240;

    private static readonly (string Suffix, MetricType[] Types)[] s_suffixes =
    [
        ("_total", [MetricType.Counter]),
        ("_created", [MetricType.Counter, MetricType.Histogram, MetricType.Summary, MetricType.GaugeHistogram]),
        ("_bucket", [MetricType.Histogram, MetricType.GaugeHistogram]),
        ("_sum", [MetricType.Histogram, MetricType.Summary]),
        ("_count", [MetricType.Histogram, MetricType.Summary]),
        ("_gsum", [MetricType.GaugeHistogram]),
        ("_gcount", [MetricType.GaugeHistogram]),
        ("_info", [MetricType.Info]),
    ];

    private readonly Dictionary<string, FamilyMeta> _meta = new(StringComparer.Ordinal);

    // The first line of each sample name, for descriptors that come after their samples.
    private readonly Dictionary<string, int> _firstSampleLine = new(StringComparer.Ordinal);

    // Lookups by a slice of a name (x_bucket without _bucket, x plus _bucket) that build no string per lookup.
    private readonly Dictionary<string, FamilyMeta>.AlternateLookup<ReadOnlySpan<char>> _metaBySpan;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _firstSampleLineBySpan;
    private readonly Utf8Interner _strings;

    public DeclaredFamilies(Utf8Interner strings)
    {
        _strings = strings;
        _metaBySpan = _meta.GetAlternateLookup<ReadOnlySpan<char>>();
        _firstSampleLineBySpan = _firstSampleLine.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Every family name a descriptor line (TYPE, HELP or UNIT, kept or not) named.</summary>
    public Dictionary<string, FamilyMeta>.KeyCollection Names => _meta.Keys;

    /// <summary>Keeps <paramref name="line"/> as the first line of <paramref name="sampleName"/> unless it has one.</summary>
    public void RecordSampleLine(string sampleName, int line) => _firstSampleLine.TryAdd(sampleName, line);

    public bool TryGet(string name, [MaybeNullWhen(false)] out FamilyMeta meta) => _meta.TryGetValue(name, out meta);

    public FamilyMeta Meta(ReadOnlySpan<byte> metricName)
    {
        var name = _strings.Get(metricName);
        if (!_meta.TryGetValue(name, out var meta))
        {
            _meta[name] = meta = new FamilyMeta(name);
        }

        return meta;
    }

    /// <summary>
    /// The name a sample is grouped under: its family when a TYPE says so, else its name without a known suffix. Real
    /// text-format writers (prometheus_client) alternate x_total and x_created per label set under # TYPE x_total.
    /// </summary>
    public string GroupName(string sampleName)
    {
        var family = ResolveFamilyName(sampleName);
        if (!ReferenceEquals(family, sampleName))
        {
            return family;
        }

        foreach (var (suffix, _) in s_suffixes)
        {
            if (sampleName.Length > suffix.Length && sampleName.EndsWith(suffix, StringComparison.Ordinal))
            {
                return sampleName[..^suffix.Length];
            }
        }

        return sampleName;
    }

    /// <summary>The first line of a sample of <paramref name="family"/> (under any of its sample names), or null.</summary>
    public int? FirstSampleLineOf(string family)
    {
        int? first = _firstSampleLine.TryGetValue(family, out var own) ? own : null;
        Span<char> buffer = stackalloc char[StackNameChars + 8];
        foreach (var (suffix, _) in s_suffixes)
        {
            int line;
            bool found;
            if (family.Length <= StackNameChars)
            {
                family.AsSpan().CopyTo(buffer);
                suffix.AsSpan().CopyTo(buffer[family.Length..]);
                found = _firstSampleLineBySpan.TryGetValue(buffer[..(family.Length + suffix.Length)], out line);
            }
            else
            {
                found = _firstSampleLine.TryGetValue(family + suffix, out line);
            }

            if (found && (first is null || line < first))
            {
                first = line;
            }
        }

        return first;
    }

    /// <summary>
    /// Which family a sample belongs to: its own name when that name has a <c># TYPE</c>; else the base name when the
    /// suffix fits the base's declared type (<c>x_bucket</c> of histogram <c>x</c>); else a family of its own name.
    /// </summary>
    public string ResolveFamilyName(string sampleName)
    {
        if (_meta.TryGetValue(sampleName, out var own) && own.Type is not null)
        {
            return sampleName;
        }

        foreach (var (suffix, types) in s_suffixes)
        {
            if (sampleName.Length > suffix.Length && sampleName.EndsWith(suffix, StringComparison.Ordinal) &&
                _metaBySpan.TryGetValue(sampleName.AsSpan(0, sampleName.Length - suffix.Length), out var meta) &&
                meta.Type is { } type && Array.IndexOf(types, type) >= 0)
            {
                return meta.Name;
            }
        }

        return sampleName;
    }
}
