namespace SolProfiler.Demo;

/// <summary>
/// A Prometheus histogram with fixed bucket bounds that takes one value observed n times in O(log buckets), so the
/// simulation can record a whole decode step's tokens at once without allocating.
/// </summary>
internal sealed class PrometheusHistogram(IReadOnlyList<double> bounds)
{
    private readonly double[] _bounds = [.. bounds];
    private readonly long[] _counts = new long[bounds.Count + 1];

    public IReadOnlyList<double> Bounds => _bounds;

    public double Sum { get; private set; }

    public long Count { get; private set; }

    public void Observe(double value, long times = 1)
    {
        if (times <= 0)
        {
            return;
        }

        // Bucket le=b counts value <= b: the first bound not below the value.
        var index = Array.BinarySearch(_bounds, value);
        if (index < 0)
        {
            index = ~index;
        }

        _counts[index] += times;
        Sum += value * times;
        Count += times;
    }

    /// <summary>Cumulative count of bucket i (i = Bounds.Count is +Inf).</summary>
    public long Cumulative(int bucket)
    {
        long total = 0;
        for (var i = 0; i <= bucket; i++)
        {
            total += _counts[i];
        }

        return total;
    }
}
