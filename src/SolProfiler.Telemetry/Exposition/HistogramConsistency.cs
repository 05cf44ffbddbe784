using System.Globalization;

namespace SolProfiler.Telemetry.Exposition;

/// <summary>
/// Document problems of histograms, over the samples kept: each series of <c>_bucket</c> samples has a
/// <c>le="+Inf"</c> bucket, its buckets never decrease as <c>le</c> rises (they are cumulative), and its <c>_count</c>
/// (<c>_gcount</c>) equals the +Inf bucket (text format 0.0.4 and OpenMetrics 1.0). A problem keeps the samples.
/// Any <c>x_bucket</c> with an <c>le</c> counts, typed or not: excerpts in documentation often leave TYPE out.
/// A series is its base name and its labels but <c>le</c>, in their order (writers keep one order per series).
/// </summary>
internal sealed class HistogramConsistency
{
    private readonly Dictionary<Identity, Series> _series = new(IdentityComparer.Instance);
    private readonly Dictionary<Identity, double> _counts = new(IdentityComparer.Instance);
    private Label[] _scratch = new Label[16];
    private Label[]? _previousRest;
    private Series? _previous;

    /// <summary>Takes one kept sample (any name: only buckets and counts are looked at).</summary>
    public void Add(string name, Label[] labels, double value, int line)
    {
        if (name.EndsWith("_bucket", StringComparison.Ordinal))
        {
            AddBucket(name, labels, value, line);
        }
        else if (name.EndsWith("_count", StringComparison.Ordinal) || name.EndsWith("_gcount", StringComparison.Ordinal))
        {
            _counts.TryAdd(new Identity(name[..name.LastIndexOf('_')], labels), value);
        }
    }

    /// <summary>Adds a problem per inconsistent series (at its first bucket's line), at most <paramref name="maxKept"/>.</summary>
    public void Report(List<ExpositionError> problems, int maxKept)
    {
        var reported = 0;
        foreach (var (identity, s) in _series)
        {
            if (Problem(identity, s, _counts.TryGetValue(identity, out var count) ? count : null) is { } message && ++reported <= maxKept)
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

    private void AddBucket(string name, Label[] labels, double value, int line)
    {
        var le = Array.FindIndex(labels, l => l.Name == "le");
        if (le < 0 || !ExpositionNumber.TryParse(labels[le].Value, out var bound))
        {
            return;
        }

        var restCount = labels.Length - 1;
        if (_scratch.Length < restCount)
        {
            _scratch = new Label[restCount];
        }

        var rest = _scratch.AsSpan(0, restCount);
        labels.AsSpan(0, le).CopyTo(rest);
        labels.AsSpan(le + 1).CopyTo(rest[le..]);

        // The buckets of one series are consecutive: the previous series is the usual one, found without a lookup.
        // The base name is compared as a slice and made a string only for a new series (not once per bucket).
        var baseSpan = name.AsSpan(0, name.Length - "_bucket".Length);
        Series? series;
        if (_previous is not null && _previousRest is not null && rest.SequenceEqual(_previousRest) &&
            baseSpan.SequenceEqual(_previous.BaseName))
        {
            series = _previous;
        }
        else
        {
            var baseName = baseSpan.ToString();
            var restArray = rest.ToArray();
            var identity = new Identity(baseName, restArray);
            if (!_series.TryGetValue(identity, out series))
            {
                _series[identity] = series = new Series(baseName, line);
            }

            _previousRest = restArray;
            _previous = series;
        }

        series.Add(bound, value);
    }

    private static string? Problem(Identity identity, Series s, double? count)
    {
        var buckets = s.Buckets;
        if (!s.Sorted)
        {
            buckets.Sort((a, b) => a.Le.CompareTo(b.Le));
        }

        var last = buckets[^1];
        var display = SeriesText.Format(identity.Name + "_bucket", identity.Labels);
        if (!double.IsPositiveInfinity(last.Le))
        {
            return $"histogram series {display} has buckets but no le=\"+Inf\" bucket";
        }

        for (var i = 1; i < buckets.Count; i++)
        {
            var (below, here) = (buckets[i - 1], buckets[i]);
            if (here.Value < below.Value)
            {
                return string.Create(
                    CultureInfo.InvariantCulture,
                    $"histogram series {display}: buckets decrease (le=\"{Le(here.Le)}\" holds {here.Value}, below le=\"{Le(below.Le)}\"'s {below.Value}); buckets are cumulative");
            }
        }

        return count is { } c && c != last.Value
            ? string.Create(CultureInfo.InvariantCulture, $"histogram series {display}: its count {c} differs from its le=\"+Inf\" bucket {last.Value}")
            : null;
    }

    private static string Le(double le) => double.IsPositiveInfinity(le) ? "+Inf" : le.ToString("R", CultureInfo.InvariantCulture);

    private readonly record struct Identity(string Name, Label[] Labels);

    private sealed class IdentityComparer : IEqualityComparer<Identity>
    {
        public static readonly IdentityComparer Instance = new();

        public bool Equals(Identity x, Identity y) =>
            string.Equals(x.Name, y.Name, StringComparison.Ordinal) && x.Labels.AsSpan().SequenceEqual(y.Labels);

        public int GetHashCode(Identity obj)
        {
            var hash = new HashCode();
            hash.Add(obj.Name, StringComparer.Ordinal);
            foreach (var label in obj.Labels)
            {
                hash.Add(label);
            }

            return hash.ToHashCode();
        }
    }

    private sealed class Series(string baseName, int line)
    {
        public string BaseName { get; } = baseName;

        public int Line { get; } = line;

        public List<(double Le, double Value)> Buckets { get; } = [];

        /// <summary>Whether the buckets came in rising le, as writers put them (then no sort is needed).</summary>
        public bool Sorted { get; private set; } = true;

        public void Add(double le, double value)
        {
            if (Buckets.Count > 0 && le < Buckets[^1].Le)
            {
                Sorted = false;
            }

            Buckets.Add((le, value));
        }
    }
}
