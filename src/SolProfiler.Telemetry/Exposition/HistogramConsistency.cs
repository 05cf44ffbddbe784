using System.Globalization;

namespace SolProfiler.Telemetry.Exposition;

/// <summary>
/// Document problems of histograms, over the samples kept: each series of <c>_bucket</c> samples has a
/// <c>le="+Inf"</c> bucket, its buckets never decrease as <c>le</c> rises (they are cumulative), and its <c>_count</c>
/// (<c>_gcount</c>) equals the +Inf bucket (text format 0.0.4 and OpenMetrics 1.0). A problem keeps the samples.
/// Any <c>x_bucket</c> with an <c>le</c> counts, typed or not: excerpts in documentation often leave TYPE out.
/// </summary>
internal sealed class HistogramConsistency
{
    private readonly Dictionary<string, Series> _series = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _counts = new(StringComparer.Ordinal);

    /// <summary>Takes one kept sample (any name: only buckets and counts are looked at).</summary>
    public void Add(string name, IReadOnlyList<Label> labels, double value, int line)
    {
        if (name.EndsWith("_bucket", StringComparison.Ordinal) && Bound(labels) is { } le)
        {
            var key = Key(name[..^"_bucket".Length], labels, skip: "le");
            if (!_series.TryGetValue(key.Text, out var s))
            {
                _series[key.Text] = s = new Series(key.Display, line);
            }

            s.Buckets.Add((le, value));
        }
        else if (name.EndsWith("_count", StringComparison.Ordinal) || name.EndsWith("_gcount", StringComparison.Ordinal))
        {
            _counts.TryAdd(Key(name[..name.LastIndexOf('_')], labels, skip: null).Text, value);
        }
    }

    /// <summary>Adds a problem per inconsistent series (at its first bucket's line), at most <paramref name="maxKept"/>.</summary>
    public void Report(List<ExpositionError> problems, int maxKept)
    {
        var reported = 0;
        foreach (var (key, s) in _series)
        {
            if (Problem(s, _counts.TryGetValue(key, out var count) ? count : null) is { } message && ++reported <= maxKept)
            {
                problems.Add(new ExpositionError(s.Line, message));
            }
        }

        if (reported > maxKept)
        {
            problems.Add(new ExpositionError(0, string.Create(
                CultureInfo.InvariantCulture, $"{reported} histogram series with problems in all; only the first {maxKept} are listed")));
        }
    }

    private static string? Problem(Series s, double? count)
    {
        s.Buckets.Sort((a, b) => a.Le.CompareTo(b.Le));
        var last = s.Buckets[^1];
        if (!double.IsPositiveInfinity(last.Le))
        {
            return $"histogram series {s.Display} has buckets but no le=\"+Inf\" bucket";
        }

        for (var i = 1; i < s.Buckets.Count; i++)
        {
            var (below, here) = (s.Buckets[i - 1], s.Buckets[i]);
            if (here.Value < below.Value)
            {
                return string.Create(
                    CultureInfo.InvariantCulture,
                    $"histogram series {s.Display}: buckets decrease (le=\"{Le(here.Le)}\" holds {here.Value}, below le=\"{Le(below.Le)}\"'s {below.Value}); buckets are cumulative");
            }
        }

        return count is { } c && c != last.Value
            ? string.Create(CultureInfo.InvariantCulture, $"histogram series {s.Display}: its count {c} differs from its le=\"+Inf\" bucket {last.Value}")
            : null;
    }

    private static double? Bound(IReadOnlyList<Label> labels)
    {
        foreach (var l in labels)
        {
            if (l.Name == "le")
            {
                return ExpositionNumber.TryParse(l.Value, out var le) ? le : null;
            }
        }

        return null;
    }

    /// <summary>The series' identity (name and labels but <paramref name="skip"/>, sorted) and how to show it.</summary>
    private static (string Text, string Display) Key(string name, IReadOnlyList<Label> labels, string? skip)
    {
        var kept = labels.Where(l => l.Name != skip).OrderBy(l => l.Name, StringComparer.Ordinal).ToArray();
        var display = ExpositionDocumentBuilder.FormatSeries(name + "_bucket", kept);
        return (string.Join('\u0001', kept.Select(l => l.Name + '\u0002' + l.Value).Prepend(name)), display);
    }

    private static string Le(double le) => double.IsPositiveInfinity(le) ? "+Inf" : le.ToString("R", CultureInfo.InvariantCulture);

    private sealed class Series(string display, int line)
    {
        public string Display { get; } = display;

        public int Line { get; } = line;

        public List<(double Le, double Value)> Buckets { get; } = [];
    }
}
