namespace SolProfiler.Analysis.Windows;

/// <summary>
/// The increase of a cumulative counter over a series of scrapes, as Prometheus's increase() counts it: a value lower
/// than the previous one means the server restarted, and the new value is the increase since that restart. Pairs with a
/// missing value on either side are skipped, and the time they span is not counted.
/// </summary>
internal struct CounterIncrease
{
    private double? _previous;
    private DateTimeOffset _previousAt;

    public double Increase { get; private set; }

    public TimeSpan Covered { get; private set; }

    public int Resets { get; private set; }

    public int Pairs { get; private set; }

    public void Add(double? value, DateTimeOffset at)
    {
        if (value is { } v && double.IsFinite(v))
        {
            if (_previous is { } p)
            {
                if (v >= p)
                {
                    Increase += v - p;
                }
                else
                {
                    Increase += v;
                    Resets++;
                }

                Covered += at - _previousAt;
                Pairs++;
            }

            _previous = v;
            _previousAt = at;
        }
        else
        {
            _previous = null;
        }
    }

    /// <summary>Increase per second over the covered time; null without at least one usable pair.</summary>
    public readonly double? PerSecond => Pairs > 0 && Covered > TimeSpan.Zero ? Increase / Covered.TotalSeconds : null;
}
