namespace SolProfiler.Telemetry.Statistics;

/// <summary>The mean of the finite values a selector gives, skipping nulls, NaN and infinities; null when there are none.</summary>
public static class FiniteMean
{
    public static double? Of<T>(IEnumerable<T> items, Func<T, double?> value)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(value);
        var mean = default(Accumulator);
        foreach (var item in items)
        {
            mean.Add(value(item));
        }

        return mean.Mean;
    }

    /// <summary>As the enumerable overload, over a span: no enumerator to allocate (the analysis calls it per GPU per tick).</summary>
    public static double? Of<T>(ReadOnlySpan<T> items, Func<T, double?> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var mean = default(Accumulator);
        foreach (var item in items)
        {
            mean.Add(value(item));
        }

        return mean.Mean;
    }

    private struct Accumulator
    {
        private double _sum;
        private int _count;

        public readonly double? Mean => _count > 0 ? _sum / _count : null;

        public void Add(double? value)
        {
            if (value is { } v && double.IsFinite(v))
            {
                _sum += v;
                _count++;
            }
        }
    }
}
