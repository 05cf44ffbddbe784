using System.Globalization;
using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Serving.Adapters;

/// <summary>Which model and which engine / rank / instance a series belongs to.</summary>
internal readonly record struct SeriesKey(string? Model, string Engine);

/// <summary>
/// How one server family names its model and its engines: the first label present among <see cref="ModelLabels"/> is
/// the model, the first present among <see cref="EngineLabels"/> the engine ("0" when none is present).
/// </summary>
internal sealed class SeriesKeying
{
    public SeriesKeying(IReadOnlyList<string> modelLabels, IReadOnlyList<string> engineLabels, bool lowerCaseModel = false)
    {
        ModelLabels = modelLabels;
        EngineLabels = engineLabels;
        LowerCaseModel = lowerCaseModel;
    }

    public IReadOnlyList<string> ModelLabels { get; }

    public IReadOnlyList<string> EngineLabels { get; }

    /// <summary>Fold the model label to lower case (Dynamo lower-cases it on request metrics but not on config gauges).</summary>
    public bool LowerCaseModel { get; }

    public SeriesKey KeyOf(MetricSample sample)
    {
        string? model = null;
        foreach (var label in ModelLabels)
        {
            model = sample.LabelValue(label);
            if (model is not null)
            {
                break;
            }
        }

        if (model is not null && LowerCaseModel)
        {
            model = model.ToLowerInvariant();
        }

        string? engine = null;
        foreach (var label in EngineLabels)
        {
            engine = sample.LabelValue(label);
            if (engine is not null)
            {
                break;
            }
        }

        return new SeriesKey(model, engine ?? "0");
    }
}

/// <summary>Reads counters, gauges and histograms out of an <see cref="ExpositionDocument"/>, grouped by <see cref="SeriesKey"/>.</summary>
internal static class DocumentReading
{
    /// <summary>Parses a histogram bound: "1", "1.0", "2.5e-3", "+Inf" (and "Inf"); null when it is not a number.</summary>
    public static double? ParseLe(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var t = text.Trim();
        if (t is "+Inf" or "Inf" or "+inf" or "inf")
        {
            return double.PositiveInfinity;
        }

        if (t is "-Inf" or "-inf")
        {
            return double.NegativeInfinity;
        }

        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
    }

    /// <summary>Counters: the values of a sample name summed per key (over labels such as <c>finished_reason</c>, <c>position</c>).</summary>
    public static Dictionary<SeriesKey, double> Sum(ExpositionDocument doc, string sampleName, SeriesKeying keying, Func<MetricSample, bool>? filter = null)
    {
        var result = new Dictionary<SeriesKey, double>();
        foreach (var s in doc.Samples(sampleName))
        {
            if ((filter is not null && !filter(s)) || double.IsNaN(s.Value))
            {
                continue;
            }

            var key = keying.KeyOf(s);
            result[key] = result.TryGetValue(key, out var v) ? v + s.Value : s.Value;
        }

        return result;
    }

    /// <summary>
    /// Gauges: the value per key. When several series share a key (tensor-parallel ranks reporting the same batch,
    /// pipeline stages) the largest is taken, so replicated values are not double-counted.
    /// </summary>
    public static Dictionary<SeriesKey, double> Gauge(ExpositionDocument doc, string sampleName, SeriesKeying keying, Func<MetricSample, bool>? filter = null)
    {
        var result = new Dictionary<SeriesKey, double>();
        foreach (var s in doc.Samples(sampleName))
        {
            if ((filter is not null && !filter(s)) || double.IsNaN(s.Value))
            {
                continue;
            }

            var key = keying.KeyOf(s);
            result[key] = result.TryGetValue(key, out var v) ? Math.Max(v, s.Value) : s.Value;
        }

        return result;
    }

    /// <summary>
    /// Histograms: groups <c>_bucket</c>/<c>_sum</c>/<c>_count</c> samples by their labels minus <c>le</c>, builds one
    /// snapshot per label set (buckets sorted by bound, <c>+Inf</c> included), then combines the label sets that share a
    /// key (same bounds: bucket by bucket). <paramref name="scale"/> multiplies bounds and sums (e.g. 1e-3 for ms).
    /// </summary>
    public static Dictionary<SeriesKey, HistogramSnapshot> Histogram(
        ExpositionDocument doc,
        string baseName,
        SeriesKeying keying,
        Func<MetricSample, bool>? filter = null,
        double scale = 1.0)
    {
        var sets = new Dictionary<MetricSample, HistogramParts>(LabelsExceptLe.Instance);

        HistogramParts PartsFor(MetricSample s)
        {
            if (!sets.TryGetValue(s, out var parts))
            {
                sets[s] = parts = new HistogramParts(keying.KeyOf(s));
            }

            return parts;
        }

        foreach (var s in doc.Samples(baseName + "_bucket"))
        {
            if (filter is not null && !filter(s))
            {
                continue;
            }

            var le = ParseLe(s.LabelValue("le"));
            if (le is null)
            {
                continue;
            }

            var parts = PartsFor(s);
            var bound = double.IsPositiveInfinity(le.Value) ? le.Value : le.Value * scale;
            parts.AddBucket(bound, s.Value);
        }

        foreach (var s in doc.Samples(baseName + "_sum"))
        {
            if (filter is null || filter(s))
            {
                var parts = PartsFor(s);
                parts.Sum = (parts.Sum ?? 0) + (s.Value * scale);
            }
        }

        foreach (var s in doc.Samples(baseName + "_count"))
        {
            if (filter is null || filter(s))
            {
                var parts = PartsFor(s);
                parts.Count = (parts.Count ?? 0) + s.Value;
            }
        }

        var byKey = new Dictionary<SeriesKey, List<HistogramSnapshot>>();
        foreach (var parts in sets.Values)
        {
            var snapshot = parts.ToSnapshot();
            if (snapshot is null)
            {
                continue;
            }

            if (!byKey.TryGetValue(parts.Key, out var list))
            {
                byKey[parts.Key] = list = [];
            }

            list.Add(snapshot);
        }

        var result = new Dictionary<SeriesKey, HistogramSnapshot>();
        foreach (var (key, list) in byKey)
        {
            var combined = HistogramSnapshot.Combine(list);
            if (combined is not null)
            {
                result[key] = combined;
            }
        }

        return result;
    }

    /// <summary>A bucket-less snapshot from two cumulative counters (total time, number of observations), for mean-only timings.</summary>
    public static Dictionary<SeriesKey, HistogramSnapshot> FromCounters(
        Dictionary<SeriesKey, double> sums,
        Dictionary<SeriesKey, double> counts,
        double scale = 1.0)
    {
        var result = new Dictionary<SeriesKey, HistogramSnapshot>();
        foreach (var (key, sum) in sums)
        {
            if (counts.TryGetValue(key, out var count))
            {
                result[key] = new HistogramSnapshot(sum * scale, count, []);
            }
        }

        return result;
    }

    /// <summary>Per key, the primary value where there is one, else the fallback's.</summary>
    public static Dictionary<SeriesKey, T> Prefer<T>(Dictionary<SeriesKey, T> primary, Dictionary<SeriesKey, T> fallback)
    {
        var result = new Dictionary<SeriesKey, T>(fallback);
        foreach (var (key, value) in primary)
        {
            result[key] = value;
        }

        return result;
    }

    /// <summary>Element-wise ratio of two keyed values, where both exist and the denominator is positive.</summary>
    public static Dictionary<SeriesKey, double> Ratio(Dictionary<SeriesKey, double> numerator, Dictionary<SeriesKey, double> denominator)
    {
        var result = new Dictionary<SeriesKey, double>();
        foreach (var (key, n) in numerator)
        {
            if (denominator.TryGetValue(key, out var d) && d > 0)
            {
                result[key] = n / d;
            }
        }

        return result;
    }

    /// <summary>Element-wise product of two keyed values, where both exist.</summary>
    public static Dictionary<SeriesKey, double> Product(Dictionary<SeriesKey, double> a, Dictionary<SeriesKey, double> b)
    {
        var result = new Dictionary<SeriesKey, double>();
        foreach (var (key, x) in a)
        {
            if (b.TryGetValue(key, out var y))
            {
                result[key] = x * y;
            }
        }

        return result;
    }

    /// <summary>Element-wise difference a - b where both exist; a negative result (the server's counters disagree) is left out.</summary>
    public static Dictionary<SeriesKey, double> Difference(Dictionary<SeriesKey, double> a, Dictionary<SeriesKey, double> b, bool clampAtZero = false)
    {
        var result = new Dictionary<SeriesKey, double>();
        foreach (var (key, x) in a)
        {
            if (b.TryGetValue(key, out var y))
            {
                var d = x - y;
                if (d >= 0)
                {
                    result[key] = d;
                }
                else if (clampAtZero)
                {
                    result[key] = 0;
                }
            }
        }

        return result;
    }

    /// <summary>Element-wise sum a + b where both exist.</summary>
    public static Dictionary<SeriesKey, double> Add(Dictionary<SeriesKey, double> a, Dictionary<SeriesKey, double> b)
    {
        var result = new Dictionary<SeriesKey, double>();
        foreach (var (key, x) in a)
        {
            if (b.TryGetValue(key, out var y))
            {
                result[key] = x + y;
            }
        }

        return result;
    }

    /// <summary>The first of the sample names present in the document, or null.</summary>
    public static string? FirstPresent(ExpositionDocument doc, params string[] sampleNames)
    {
        foreach (var name in sampleNames)
        {
            if (doc.Contains(name))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>True when any of the names is present in the document.</summary>
    public static bool ContainsAny(ExpositionDocument doc, IReadOnlyList<string> sampleNames) => CountPresent(doc, sampleNames) > 0;

    /// <summary>How many of the names are present in the document.</summary>
    /// <remarks>A loop, not <c>Count(doc.Contains)</c>: detection scores every adapter on every scrape, and a method-group
    /// delegate is an allocation each time.</remarks>
    public static int CountPresent(ExpositionDocument doc, IReadOnlyList<string> sampleNames)
    {
        var present = 0;
        foreach (var name in sampleNames)
        {
            present += doc.Contains(name) ? 1 : 0;
        }

        return present;
    }

    private sealed class HistogramParts(SeriesKey key)
    {
        public SeriesKey Key { get; } = key;

        // Bounds arrive in order in every body seen; a list sorted once at the end costs one array, where a sorted
        // dictionary cost a node per bucket.
        private readonly List<HistogramBucket> _buckets = [];

        public double? Sum { get; set; }

        public double? Count { get; set; }

        /// <summary>Adds a bucket's count; a bound seen twice in one series (duplicate lines) is summed, as before.</summary>
        public void AddBucket(double bound, double count)
        {
            for (var i = _buckets.Count - 1; i >= 0; i--)
            {
                if (_buckets[i].UpperBound.Equals(bound))
                {
                    _buckets[i] = _buckets[i] with { CumulativeCount = _buckets[i].CumulativeCount + count };
                    return;
                }
            }

            _buckets.Add(new HistogramBucket(bound, count));
        }

        public HistogramSnapshot? ToSnapshot()
        {
            var count = Count;
            if (count is null)
            {
                foreach (var bucket in _buckets)
                {
                    if (double.IsPositiveInfinity(bucket.UpperBound))
                    {
                        count = bucket.CumulativeCount;
                    }
                }
            }

            if (count is null)
            {
                return null;
            }

            var buckets = _buckets.ToArray();
            Array.Sort(buckets, static (a, b) => a.UpperBound.CompareTo(b.UpperBound));
            return new HistogramSnapshot(Sum ?? double.NaN, count.Value, buckets);
        }
    }
}
