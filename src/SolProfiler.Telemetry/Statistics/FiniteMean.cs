namespace SolProfiler.Telemetry.Statistics;

/// <summary>The mean of the finite values a selector gives, skipping nulls, NaN and infinities; null when there are none.</summary>
public static class FiniteMean
{
    public static double? Of<T>(IEnumerable<T> items, Func<T, double?> value)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(value);
        double sum = 0;
        var n = 0;
        foreach (var item in items)
        {
            if (value(item) is { } v && double.IsFinite(v))
            {
                sum += v;
                n++;
            }
        }

        return n > 0 ? sum / n : null;
    }

    /// <summary>As the enumerable overload, over a span: no enumerator to allocate (the analysis calls it per GPU per tick).</summary>
    public static double? Of<T>(ReadOnlySpan<T> items, Func<T, double?> value)
    {
        ArgumentNullException.ThrowIfNull(value);
        double sum = 0;
        var n = 0;
        foreach (var item in items)
        {
            if (value(item) is { } v && double.IsFinite(v))
            {
                sum += v;
                n++;
            }
        }

        return n > 0 ? sum / n : null;
    }
}
