using SolProfiler.Telemetry.Gpu;
using SolProfiler.Telemetry.Serving.Rates;
using SolProfiler.Telemetry.Statistics;

namespace SolProfiler.Agent.Window;

/// <summary>
/// A sliding window of GPU reads: add each snapshot, ask for per-GPU rates. Counter resets (driver reload) are
/// handled here once: a counter that goes backwards starts a new segment instead of a negative rate. A GPU that
/// stops appearing ages out with the window. Not thread-safe: the analysis loop owns it.
/// </summary>
/// <remarks>A wall clock stepped back restarts the window (<see cref="WindowReads{T}"/>, as in the serving window).</remarks>
public sealed class GpuWindow(TimeSpan length)
{
    private readonly WindowReads<GpuSnapshot> _snapshots = new(s => s.Timestamp);

    public TimeSpan Length { get; } = length > TimeSpan.Zero ? length : throw new ArgumentOutOfRangeException(nameof(length));

    public void Add(GpuSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (!snapshot.Down && snapshot.Gpus.Count > 0)
        {
            _snapshots.Add(snapshot);
        }
    }

    public IReadOnlyList<GpuRates> Rates(DateTimeOffset now)
    {
        _snapshots.Trim(now, Length);
        return _snapshots.Items
            .SelectMany(s => s.Gpus)
            .GroupBy(g => g.Index)
            .OrderBy(g => g.Key)
            .Select(g => Compute(g.Key, g.OrderBy(s => s.Timestamp).ToArray()))
            .ToArray();
    }

    private static GpuRates Compute(int index, GpuSample[] reads)
    {
        var energy = CounterRate(reads, s => s.EnergyJoules);
        var tx = CounterRate(reads, s => s.NvlinkTxBytes) ?? FiniteMean.Of(reads, s => s.NvlinkTxBytesPerSecond);
        var rx = CounterRate(reads, s => s.NvlinkRxBytes) ?? FiniteMean.Of(reads, s => s.NvlinkRxBytesPerSecond);
        var withReasons = reads.Where(r => r.ThrottleReasons is not null).ToArray();
        return new GpuRates
        {
            Index = index,
            Name = reads[^1].Name,
            Reads = reads.Length,
            PowerWatts = energy ?? FiniteMean.Of(reads, s => s.PowerWatts),
            PowerLimitWatts = reads.LastOrDefault(r => r.PowerLimitWatts is not null)?.PowerLimitWatts,
            GraphicsActiveRatio = FiniteMean.Of(reads, s => s.GraphicsActiveRatio),
            SmActiveRatio = FiniteMean.Of(reads, s => s.SmActiveRatio),
            DramActiveRatio = FiniteMean.Of(reads, s => s.DramActiveRatio),
            TensorActiveRatio = FiniteMean.Of(reads, s => s.TensorActiveRatio),
            NvlinkTxBytesPerSecond = tx,
            NvlinkRxBytesPerSecond = rx,
            ThrottledRatio = withReasons.Length == 0
                ? null
                : (double)withReasons.Count(r => r.ThrottleReasons!.Any(ClockEventReasons.Throttling.Contains)) / withReasons.Length,
        };
    }

    /// <summary>Increase per second of a cumulative counter over the window; a decrease starts a new segment.</summary>
    internal static double? CounterRate(IReadOnlyList<GpuSample> reads, Func<GpuSample, double?> counter)
    {
        double increase = 0, seconds = 0;
        GpuSample? previous = null;
        foreach (var r in reads)
        {
            if (counter(r) is not { } value || !double.IsFinite(value))
            {
                previous = null;
                continue;
            }

            if (previous is not null && counter(previous) is { } before)
            {
                var dt = (r.Timestamp - previous.Timestamp).TotalSeconds;
                if (dt > 0 && value >= before)
                {
                    increase += value - before;
                    seconds += dt;
                }
            }

            previous = r;
        }

        return seconds > 0 ? increase / seconds : null;
    }
}
