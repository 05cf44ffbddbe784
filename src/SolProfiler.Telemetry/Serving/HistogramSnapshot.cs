namespace SolProfiler.Telemetry.Serving;

/// <summary>One cumulative bucket of a histogram: observations at or below <see cref="UpperBound"/> (seconds for timings).</summary>
public readonly record struct HistogramBucket(double UpperBound, double CumulativeCount);

/// <summary>A histogram as scraped: cumulative since the server started (so windows use deltas).</summary>
public sealed record HistogramSnapshot(double Sum, double Count, IReadOnlyList<HistogramBucket> Buckets)
{
    /// <summary>Sums several histograms (engines, ranks) with the same bucket bounds; buckets are dropped when the bounds differ.</summary>
    public static HistogramSnapshot? Combine(IEnumerable<HistogramSnapshot?> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        HistogramSnapshot? total = null;
        foreach (var h in parts)
        {
            if (h is null)
            {
                continue;
            }

            if (total is null)
            {
                total = h;
                continue;
            }

            var sameBounds = total.Buckets.Count == h.Buckets.Count && total.Buckets.Zip(h.Buckets).All(p => p.First.UpperBound.Equals(p.Second.UpperBound));
            var buckets = sameBounds
                ? total.Buckets.Zip(h.Buckets, (a, b) => new HistogramBucket(a.UpperBound, a.CumulativeCount + b.CumulativeCount)).ToArray()
                : (IReadOnlyList<HistogramBucket>)[];
            total = new HistogramSnapshot(total.Sum + h.Sum, total.Count + h.Count, buckets);
        }

        return total;
    }
}
