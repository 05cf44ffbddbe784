using SolProfiler.Telemetry.Gpu;
using SolProfiler.Analysis.Windows;
using SolProfiler.Telemetry.Statistics;

namespace SolProfiler.Analysis.Windows;

/// <summary>
/// A sliding window of GPU reads: add each snapshot, ask for per-GPU rates. A cumulative counter (energy, NVLink bytes)
/// that goes backwards (a driver reload, a GPU reset) is a reset, handled by <see cref="CounterIncrease"/> as the
/// serving window handles a server restart: counted from zero, never a negative rate, and named in
/// <see cref="GpuRates.CounterResets"/>. A GPU that stops appearing ages out with the window. Not thread-safe: the
/// analysis loop owns it.
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
        var energy = Increase(reads, s => s.EnergyJoules);
        var tx = Increase(reads, s => s.NvlinkTxBytes);
        var rx = Increase(reads, s => s.NvlinkRxBytes);
        var withReasons = reads.Where(r => r.ThrottleReasons is not null).ToArray();
        return new GpuRates
        {
            Index = index,
            Name = reads[^1].Name,
            Reads = reads.Length,
            PowerWatts = energy.PerSecond ?? FiniteMean.Of(reads, s => s.PowerWatts),
            PowerLimitWatts = reads.LastOrDefault(r => r.PowerLimitWatts is not null)?.PowerLimitWatts,
            GraphicsActiveRatio = FiniteMean.Of(reads, s => s.GraphicsActiveRatio),
            SmActiveRatio = FiniteMean.Of(reads, s => s.SmActiveRatio),
            DramActiveRatio = FiniteMean.Of(reads, s => s.DramActiveRatio),
            TensorActiveRatio = FiniteMean.Of(reads, s => s.TensorActiveRatio),
            NvlinkTxBytesPerSecond = tx.PerSecond ?? FiniteMean.Of(reads, s => s.NvlinkTxBytesPerSecond),
            NvlinkRxBytesPerSecond = rx.PerSecond ?? FiniteMean.Of(reads, s => s.NvlinkRxBytesPerSecond),
            ThrottledRatio = withReasons.Length == 0
                ? null
                : (double)withReasons.Count(r => r.ThrottleReasons!.Any(ClockEventReasons.Throttling.Contains)) / withReasons.Length,
            CounterResets = energy.Resets + tx.Resets + rx.Resets == 0 ? [] : Resets(energy, tx, rx),
        };
    }

    /// <summary>The counters that went backwards in the window (rare: built only then).</summary>
    private static string[] Resets(CounterIncrease energy, CounterIncrease tx, CounterIncrease rx) =>
        [.. new[] { ("energy", energy.Resets), ("nvlink_tx", tx.Resets), ("nvlink_rx", rx.Resets) }.Where(c => c.Item2 > 0).Select(c => c.Item1)];

    private static CounterIncrease Increase(GpuSample[] reads, Func<GpuSample, double?> counter)
    {
        var increase = default(CounterIncrease);
        foreach (var r in reads)
        {
            increase.Add(counter(r), r.Timestamp);
        }

        return increase;
    }
}
