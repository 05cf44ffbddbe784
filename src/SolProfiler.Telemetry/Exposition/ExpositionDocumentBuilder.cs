using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace SolProfiler.Telemetry.Exposition;

/// <summary>
/// Builds an <see cref="ExpositionDocument"/> from what the scanner visits. Samples are kept in arrival order and
/// filed into families once the whole body is read, so metadata may come before, after or not at all.
/// </summary>
internal sealed class ExpositionDocumentBuilder : IExpositionVisitor
{
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

    private readonly ExpositionLimits _limits;
    private readonly Utf8Interner _strings = new();
    private readonly Dictionary<string, FamilyMeta> _meta = new(StringComparer.Ordinal);
    private readonly List<PendingSample> _samples = [];
    private readonly HashSet<SeriesKey> _series = new(SeriesKeyComparer.Instance);
    private readonly List<ExpositionError> _errors = [];
    private readonly List<ExpositionError> _problems = [];
    // Errors only OpenMetrics makes (a descriptor after its family's samples, a UNIT the name does not end with): the
    // format is known only at the end of a streamed body, so they wait for Build.
    private readonly List<ExpositionError> _openMetricsErrors = [];

    // The first line of each sample name, for descriptors that come after their samples.
    private readonly Dictionary<string, int> _firstSampleLine = new(StringComparer.Ordinal);

    // Families whose group of lines has ended (another family's sample came), for lines that come back to one.
    private readonly HashSet<string> _endedFamilies = new(StringComparer.Ordinal);
    private readonly HashSet<string> _splitFamilies = new(StringComparer.Ordinal);
    private string? _lastSampleName;
    private string? _currentFamily;
    private int _errorCount;
    private int _duplicateCount;
    private Label[] _labelScratch = new Label[16];
    private Label[] _previousLabels = [];

    public ExpositionDocumentBuilder(ExpositionLimits limits) => _limits = limits;

    public void OnSample(in ExpositionSample sample)
    {
        var name = _strings.Get(sample.Name);
        if (!ReferenceEquals(name, _lastSampleName))
        {
            // Interned: a name repeats as the same string, so only a change of name costs a lookup.
            _lastSampleName = name;
            _firstSampleLine.TryAdd(name, sample.LineNumber);
            TrackFamilyGroup(GroupName(name), sample.LineNumber);
        }

        var labels = InternLabels(sample);
        var timestamp = sample.RawTimestamp;
        var key = new SeriesKey(name, labels, timestamp.HasValue, timestamp ?? 0, sample.LineNumber);
        if (!_series.Add(key))
        {
            _duplicateCount++;
            if (_duplicateCount <= _limits.MaxErrorsKept)
            {
                _series.TryGetValue(key, out var first);
                _problems.Add(new ExpositionError(sample.LineNumber, string.Create(
                    CultureInfo.InvariantCulture,
                    $"duplicate series {FormatSeries(name, labels)} at line {sample.LineNumber} (first at line {first.Line}); the first was kept")));
            }

            return;
        }

        _samples.Add(new PendingSample(name, labels, sample.Value, timestamp.HasValue, timestamp ?? 0, sample.LineNumber, sample.HasExemplar));
    }

    /// <summary>
    /// The name a sample is grouped under: its family when a TYPE says so, else its name without a known suffix. Real
    /// text-format writers (prometheus_client) alternate x_total and x_created per label set under # TYPE x_total.
    /// </summary>
    private string GroupName(string sampleName)
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

    /// <summary>Both formats: all lines of one family form one group; a family that comes back is a problem, once.</summary>
    private void TrackFamilyGroup(string family, int line)
    {
        if (ReferenceEquals(family, _currentFamily) || string.Equals(family, _currentFamily, StringComparison.Ordinal))
        {
            return;
        }

        if (_currentFamily is not null)
        {
            _endedFamilies.Add(_currentFamily);
        }

        _currentFamily = family;
        if (_endedFamilies.Contains(family) && _splitFamilies.Add(family) && _splitFamilies.Count <= _limits.MaxErrorsKept)
        {
            _problems.Add(new ExpositionError(line, string.Create(
                CultureInfo.InvariantCulture,
                $"the lines of {family} are not one group: line {line} comes back to it after other families; its samples are kept")));
        }
    }

    /// <summary>The first line of a sample of <paramref name="family"/> (under any of its sample names), or null.</summary>
    private int? FirstSampleLineOf(string family)
    {
        int? first = _firstSampleLine.TryGetValue(family, out var own) ? own : null;
        foreach (var (suffix, _) in s_suffixes)
        {
            if (_firstSampleLine.TryGetValue(family + suffix, out var line) && (first is null || line < first))
            {
                first = line;
            }
        }

        return first;
    }

    public void OnType(ReadOnlySpan<byte> metricName, MetricType type, int lineNumber)
    {
        var meta = Meta(metricName);
        if (meta.Type is null && FirstSampleLineOf(meta.Name) is { } sampled)
        {
            // Both formats: the TYPE line comes before the family's first sample.
            AddError(lineNumber, string.Create(
                CultureInfo.InvariantCulture,
                $"# TYPE for {meta.Name} after its samples (first at line {sampled}); ignored"));
            return;
        }

        if (meta.Type is null)
        {
            meta.Type = type;
            meta.TypeLine = lineNumber;
        }
        else if (meta.Type != type)
        {
            AddError(lineNumber, string.Create(
                CultureInfo.InvariantCulture,
                $"conflicting # TYPE {type} for {meta.Name} (declared {meta.Type} at line {meta.TypeLine}); ignored"));
        }
        else
        {
            // Both formats: one TYPE line per metric (family) name.
            AddError(lineNumber, string.Create(
                CultureInfo.InvariantCulture,
                $"second # TYPE for {meta.Name} (first at line {meta.TypeLine}); ignored"));
        }
    }

    public void OnHelp(ReadOnlySpan<byte> metricName, ReadOnlySpan<byte> text, int lineNumber)
    {
        var meta = Meta(metricName);
        OpenMetricsDescriptorAfterSamples(meta.Name, "HELP", lineNumber);
        if (meta.Help is null)
        {
            meta.Help = Encoding.UTF8.GetString(text);
            meta.HelpLine = lineNumber;
        }
        else
        {
            // Both formats: one HELP line per metric (family) name; the first is kept.
            AddError(lineNumber, string.Create(
                CultureInfo.InvariantCulture,
                $"second # HELP for {meta.Name} (first at line {meta.HelpLine}); ignored"));
        }
    }

    public void OnUnit(ReadOnlySpan<byte> metricName, ReadOnlySpan<byte> unit, int lineNumber)
    {
        var meta = Meta(metricName);
        OpenMetricsDescriptorAfterSamples(meta.Name, "UNIT", lineNumber);
        var text = _strings.Get(unit);
        if (text.Length > 0 && !meta.Name.EndsWith("_" + text, StringComparison.Ordinal))
        {
            // OpenMetrics: the unit is a suffix of the family name (a_seconds has unit seconds).
            _openMetricsErrors.Add(new ExpositionError(lineNumber, string.Create(
                CultureInfo.InvariantCulture,
                $"# UNIT {text} for {meta.Name}: the family name must end with _{text}; ignored")));
            return;
        }

        meta.Unit ??= text;
    }

    /// <summary>OpenMetrics: a family's descriptors come before its samples (the text format lets HELP come anywhere).</summary>
    private void OpenMetricsDescriptorAfterSamples(string family, string keyword, int lineNumber)
    {
        if (FirstSampleLineOf(family) is { } sampled)
        {
            _openMetricsErrors.Add(new ExpositionError(lineNumber, string.Create(
                CultureInfo.InvariantCulture,
                $"# {keyword} for {family} after its samples (first at line {sampled}): OpenMetrics puts a family's descriptors first")));
        }
    }

    public void OnLineError(int lineNumber, string message, ReadOnlySpan<byte> lineText)
    {
        if (_errorCount >= _limits.MaxErrorsKept)
        {
            _errorCount++;
            return;
        }

        var excerpt = Encoding.UTF8.GetString(lineText.Length > 80 ? lineText[..80] : lineText);
        AddError(lineNumber, lineText.IsEmpty ? message : $"{message}: {excerpt}{(lineText.Length > 80 ? "…" : "")}");
    }

    public ExpositionDocument Build(ExpositionScanResult scan)
    {
        var format = scan.Format;
        var families = new Dictionary<string, MetricFamily>(StringComparer.Ordinal);
        var bySampleName = new Dictionary<string, MetricFamily>(StringComparer.Ordinal);
        var histograms = new HistogramConsistency();
        foreach (ref readonly var pending in CollectionsMarshal.AsSpan(_samples))
        {
            if (!bySampleName.TryGetValue(pending.Name, out var family))
            {
                family = Family(families, ResolveFamilyName(pending.Name));
                bySampleName[pending.Name] = family;
            }

            if ((BoundLabelError(family, pending) ??
                 FamilySampleRules.Violation(family, pending.Name, pending.Labels, pending.Value, pending.HasExemplar, format)) is { } error)
            {
                AddError(pending.Line, error);
                continue;
            }

            double? seconds = pending.HasTimestamp
                ? (format == ExpositionFormat.OpenMetrics100 ? pending.Timestamp : pending.Timestamp / 1000.0)
                : null;
            family.Samples.Add(new MetricSample(pending.Name, pending.Labels, pending.Value, seconds));
            histograms.Add(pending.Name, pending.Labels, pending.Value, pending.Line);
        }

        foreach (var name in _meta.Keys)
        {
            Family(families, name);
        }

        if (format == ExpositionFormat.OpenMetrics100)
        {
            foreach (var error in _openMetricsErrors)
            {
                AddError(error.LineNumber, error.Message);
            }
        }

        if (_duplicateCount > _limits.MaxErrorsKept)
        {
            _problems.Add(new ExpositionError(0, string.Create(
                CultureInfo.InvariantCulture,
                $"{_duplicateCount} duplicate series in all; only the first {_limits.MaxErrorsKept} are listed")));
        }

        histograms.Report(_problems, _limits.MaxErrorsKept);

        if (scan.Truncated)
        {
            _problems.Add(new ExpositionError(0, "truncated: no # EOF at the end of an OpenMetrics body"));
        }

        return new ExpositionDocument(format, families, _errorCount, _errors, _problems, scan.Bytes);
    }

    /// <summary>
    /// Both formats: a histogram bucket's <c>le</c> and a summary quantile's <c>quantile</c> are floats. A sample whose
    /// bound is not one cannot be placed, so it is a line error, not a sample.
    /// </summary>
    private static string? BoundLabelError(MetricFamily family, in PendingSample sample)
    {
        var (label, applies) = family.Type switch
        {
            MetricType.Histogram or MetricType.GaugeHistogram => ("le", sample.Name.EndsWith("_bucket", StringComparison.Ordinal)),
            MetricType.Summary => ("quantile", string.Equals(sample.Name, family.Name, StringComparison.Ordinal)),
            _ => ("", false),
        };
        if (!applies)
        {
            return null;
        }

        foreach (var l in sample.Labels)
        {
            if (l.Name == label)
            {
                return ExpositionNumber.TryParse(l.Value, out _)
                    ? null
                    : string.Create(CultureInfo.InvariantCulture, $"{label}=\"{l.Value}\" of {sample.Name} is not a float; sample skipped");
            }
        }

        return null;
    }

    private void AddError(int lineNumber, string message)
    {
        _errorCount++;
        if (_errors.Count < _limits.MaxErrorsKept)
        {
            _errors.Add(new ExpositionError(lineNumber, message));
        }
    }

    private FamilyMeta Meta(ReadOnlySpan<byte> metricName)
    {
        var name = _strings.Get(metricName);
        if (!_meta.TryGetValue(name, out var meta))
        {
            _meta[name] = meta = new FamilyMeta(name);
        }

        return meta;
    }

    private MetricFamily Family(Dictionary<string, MetricFamily> families, string name)
    {
        if (!families.TryGetValue(name, out var family))
        {
            _meta.TryGetValue(name, out var meta);
            family = new MetricFamily(name, meta?.Type ?? MetricType.Unknown)
            {
                Help = meta?.Help,
                Unit = meta?.Unit,
            };
            families[name] = family;
        }

        return family;
    }

    /// <summary>
    /// Which family a sample belongs to: its own name when that name has a <c># TYPE</c>; else the base name when the
    /// suffix fits the base's declared type (<c>x_bucket</c> of histogram <c>x</c>); else a family of its own name.
    /// </summary>
    private string ResolveFamilyName(string sampleName)
    {
        if (_meta.TryGetValue(sampleName, out var own) && own.Type is not null)
        {
            return sampleName;
        }

        foreach (var (suffix, types) in s_suffixes)
        {
            if (sampleName.Length > suffix.Length && sampleName.EndsWith(suffix, StringComparison.Ordinal) &&
                _meta.TryGetValue(sampleName[..^suffix.Length], out var meta) &&
                meta.Type is { } type && Array.IndexOf(types, type) >= 0)
            {
                return meta.Name;
            }
        }

        return sampleName;
    }

    private Label[] InternLabels(in ExpositionSample sample)
    {
        var count = sample.LabelCount;
        if (count == 0)
        {
            return [];
        }

        if (_labelScratch.Length < count)
        {
            _labelScratch = new Label[Math.Max(count, _labelScratch.Length * 2)];
        }

        var scratch = _labelScratch.AsSpan(0, count);
        for (var i = 0; i < count; i++)
        {
            scratch[i] = new Label(_strings.Get(sample.LabelName(i)), _strings.Get(sample.LabelValue(i)));
        }

        // Consecutive samples often share a label set (x_sum, x_count, x_created): share the array too.
        var previous = _previousLabels;
        if (previous.Length == count)
        {
            var same = true;
            for (var i = 0; i < count; i++)
            {
                if (!string.Equals(previous[i].Name, scratch[i].Name, StringComparison.Ordinal) ||
                    !string.Equals(previous[i].Value, scratch[i].Value, StringComparison.Ordinal))
                {
                    same = false;
                    break;
                }
            }

            if (same)
            {
                return previous;
            }
        }

        return _previousLabels = scratch.ToArray();
    }

    internal static string FormatSeries(string name, IReadOnlyList<Label> labels)
    {
        if (labels.Count == 0)
        {
            return name;
        }

        var sb = new StringBuilder(name).Append('{');
        for (var i = 0; i < labels.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            sb.Append(labels[i].Name).Append("=\"");
            foreach (var c in labels[i].Value)
            {
                _ = c switch
                {
                    '\\' => sb.Append("\\\\"),
                    '"' => sb.Append("\\\""),
                    '\n' => sb.Append("\\n"),
                    _ => sb.Append(c),
                };
            }

            sb.Append('"');
        }

        return sb.Append('}').ToString();
    }

    private sealed class FamilyMeta(string name)
    {
        public string Name { get; } = name;

        public MetricType? Type { get; set; }

        public int TypeLine { get; set; }

        public string? Help { get; set; }

        public int HelpLine { get; set; }

        public string? Unit { get; set; }
    }

    private readonly record struct PendingSample(string Name, Label[] Labels, double Value, bool HasTimestamp, double Timestamp, int Line, bool HasExemplar);

    /// <summary>A series identity: sample name, label set (any order) and timestamp. <see cref="Line"/> is not part of it.</summary>
    private readonly record struct SeriesKey(string Name, Label[] Labels, bool HasTimestamp, double Timestamp, int Line);

    private sealed class SeriesKeyComparer : IEqualityComparer<SeriesKey>
    {
        public static readonly SeriesKeyComparer Instance = new();

        public bool Equals(SeriesKey x, SeriesKey y)
        {
            if (!string.Equals(x.Name, y.Name, StringComparison.Ordinal) ||
                x.Labels.Length != y.Labels.Length ||
                x.HasTimestamp != y.HasTimestamp ||
                (x.HasTimestamp && !x.Timestamp.Equals(y.Timestamp)))
            {
                return false;
            }

            if (ReferenceEquals(x.Labels, y.Labels))
            {
                return true;
            }

            if (x.Labels.Length <= 8)
            {
                // Label names are unique within a sample, so one-way containment with equal counts is set equality.
                foreach (var a in x.Labels)
                {
                    var found = false;
                    foreach (var b in y.Labels)
                    {
                        if (string.Equals(a.Name, b.Name, StringComparison.Ordinal))
                        {
                            found = string.Equals(a.Value, b.Value, StringComparison.Ordinal);
                            break;
                        }
                    }

                    if (!found)
                    {
                        return false;
                    }
                }

                return true;
            }

            var xs = (Label[])x.Labels.Clone();
            var ys = (Label[])y.Labels.Clone();
            Array.Sort(xs, CompareLabels);
            Array.Sort(ys, CompareLabels);
            return xs.AsSpan().SequenceEqual(ys);
        }

        public int GetHashCode(SeriesKey obj)
        {
            var sum = 0;
            foreach (var label in obj.Labels)
            {
                sum += HashCode.Combine(label.Name, label.Value);
            }

            return HashCode.Combine(obj.Name, sum, obj.Labels.Length, obj.HasTimestamp ? obj.Timestamp : 0);
        }

        private static int CompareLabels(Label a, Label b)
        {
            var c = string.CompareOrdinal(a.Name, b.Name);
            return c != 0 ? c : string.CompareOrdinal(a.Value, b.Value);
        }
    }
}
