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
    private readonly ExpositionLimits _limits;
    private readonly Utf8Interner _strings;
    private readonly DeclaredFamilies _declared;
    private readonly LabelSetInterner _labels;
    private readonly List<PendingSample> _samples;
    private readonly HashSet<SeriesIdentity> _series;
    private readonly List<ExpositionError> _errors = [];
    private readonly List<ExpositionError> _problems = [];
    // Errors only OpenMetrics makes (a descriptor after its family's samples, a UNIT the name does not end with): the
    // format is known only at the end of a streamed body, so they wait for Build.
    private readonly List<ExpositionError> _openMetricsErrors = [];

    // Families whose group of lines has ended (another family's sample came), for lines that come back to one.
    private readonly HashSet<string> _endedFamilies = new(StringComparer.Ordinal);
    private readonly HashSet<string> _splitFamilies = new(StringComparer.Ordinal);
    private string? _lastSampleName;
    private string? _currentFamily;
    private int _errorCount;
    private int _duplicateCount;

    /// <param name="limits">The bounds of the parse.</param>
    /// <param name="strings">Strings shared with earlier parses of the same endpoint (<see cref="ExpositionReuse"/>); null: this parse's own.</param>
    /// <param name="expectedSamples">The last body's sample count, to size the lists once; 0 when unknown.</param>
    public ExpositionDocumentBuilder(ExpositionLimits limits, Utf8Interner? strings = null, int expectedSamples = 0)
    {
        _limits = limits;
        _strings = strings ?? new Utf8Interner();
        var capacity = Math.Clamp(expectedSamples, 0, limits.MaxSeries);
        _samples = new List<PendingSample>(capacity);
        _series = new HashSet<SeriesIdentity>(capacity, SeriesIdentityComparer.Instance);
        _declared = new DeclaredFamilies(_strings);
        _labels = new LabelSetInterner(_strings);
    }

    public void OnSample(in ExpositionSample sample)
    {
        var name = _strings.Get(sample.Name);
        if (!ReferenceEquals(name, _lastSampleName))
        {
            // Interned: a name repeats as the same string, so only a change of name costs a lookup.
            _lastSampleName = name;
            _declared.RecordSampleLine(name, sample.LineNumber);
            TrackFamilyGroup(_declared.GroupName(name), sample.LineNumber);
        }

        var labels = _labels.Intern(sample);
        var timestamp = sample.RawTimestamp;
        var key = new SeriesIdentity(name, labels, timestamp.HasValue, timestamp ?? 0, sample.LineNumber);
        if (!_series.Add(key))
        {
            _duplicateCount++;
            if (_duplicateCount <= _limits.MaxErrorsKept)
            {
                _series.TryGetValue(key, out var first);
                _problems.Add(new ExpositionError(sample.LineNumber, string.Create(
                    CultureInfo.InvariantCulture,
                    $"duplicate series {SeriesText.Format(name, labels)} at line {sample.LineNumber} (first at line {first.Line}); the first was kept")));
            }

            return;
        }

        _samples.Add(new PendingSample(name, labels, sample.Value, timestamp.HasValue, timestamp ?? 0, sample.LineNumber, sample.HasExemplar));
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

    public void OnType(ReadOnlySpan<byte> metricName, MetricType type, int lineNumber)
    {
        var meta = _declared.Meta(metricName);
        if (meta.Type is null && _declared.FirstSampleLineOf(meta.Name) is { } sampled)
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
        var meta = _declared.Meta(metricName);
        OpenMetricsDescriptorAfterSamples(meta.Name, "HELP", lineNumber);
        if (meta.Help is null)
        {
            meta.Help = _strings.Get(text);
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
        var meta = _declared.Meta(metricName);
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
        if (_declared.FirstSampleLineOf(family) is { } sampled)
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
                family = Family(families, _declared.ResolveFamilyName(pending.Name));
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

        foreach (var name in _declared.Names)
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

    private MetricFamily Family(Dictionary<string, MetricFamily> families, string name)
    {
        if (!families.TryGetValue(name, out var family))
        {
            _declared.TryGet(name, out var meta);
            family = new MetricFamily(name, meta?.Type ?? MetricType.Unknown)
            {
                Help = meta?.Help,
                Unit = meta?.Unit,
            };
            families[name] = family;
        }

        return family;
    }

    private readonly record struct PendingSample(string Name, Label[] Labels, double Value, bool HasTimestamp, double Timestamp, int Line, bool HasExemplar);
}
