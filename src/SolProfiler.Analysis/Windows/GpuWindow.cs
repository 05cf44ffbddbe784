using System.Runtime.InteropServices;
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
    private readonly Dictionary<int, List<GpuSample>> _byIndex = [];
    private readonly List<int> _indices = [];

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

        // Every tick regroups the window's reads by GPU; the per-GPU lists are kept between ticks, so a tick allocates
        // the rates it returns and not the grouping (this ran as a LINQ GroupBy/OrderBy chain, about 15 KB a tick).
        foreach (var list in _byIndex.Values)
        {
            list.Clear();
        }

        foreach (var snapshot in _snapshots.Items)
        {
            foreach (var gpu in snapshot.Gpus)
            {
                if (!_byIndex.TryGetValue(gpu.Index, out var list))
                {
                    _byIndex[gpu.Index] = list = [];
                }

                list.Add(gpu);
            }
        }

        _indices.Clear();
        foreach (var (index, list) in _byIndex)
        {
            if (list.Count > 0)
            {
                _indices.Add(index);
            }
        }

        _indices.Sort();
        var rates = new GpuRates[_indices.Count];
        for (var i = 0; i < rates.Length; i++)
        {
            rates[i] = Compute(_indices[i], InTimeOrder(_byIndex[_indices[i]]));
        }

        return rates;
    }

    /// <summary>
    /// A GPU's reads by timestamp. The window holds them in the order read, which is time order but for a clock that
    /// wobbled within <see cref="WindowReads{T}.ClockTolerance"/>: only then are they sorted (stably, as before).
    /// </summary>
    private static ReadOnlySpan<GpuSample> InTimeOrder(List<GpuSample> reads)
    {
        for (var i = 1; i < reads.Count; i++)
        {
            if (reads[i].Timestamp < reads[i - 1].Timestamp)
            {
                return reads.OrderBy(r => r.Timestamp).ToArray();
            }
        }

        return CollectionsMarshal.AsSpan(reads);
    }

    private static GpuRates Compute(int index, ReadOnlySpan<GpuSample> reads)
    {
        var energy = Increase(reads, s => s.EnergyJoules);
        var tx = Increase(reads, s => s.NvlinkTxBytes);
        var rx = Increase(reads, s => s.NvlinkRxBytes);
        var withReasons = 0;
        var throttled = 0;
        double? powerLimit = null;
        foreach (var r in reads)
        {
            powerLimit = r.PowerLimitWatts ?? powerLimit;
            if (r.ThrottleReasons is { } reasons)
            {
                withReasons++;
                throttled += IsThrottled(reasons) ? 1 : 0;
            }
        }

        return new GpuRates
        {
            Index = index,
            Name = reads[^1].Name,
            Reads = reads.Length,
            PowerWatts = energy.PerSecond ?? FiniteMean.Of(reads, s => s.PowerWatts),
            PowerLimitWatts = powerLimit,
            GraphicsActiveRatio = FiniteMean.Of(reads, s => s.GraphicsActiveRatio),
            SmActiveRatio = FiniteMean.Of(reads, s => s.SmActiveRatio),
            DramActiveRatio = FiniteMean.Of(reads, s => s.DramActiveRatio),
            TensorActiveRatio = FiniteMean.Of(reads, s => s.TensorActiveRatio),
            NvlinkTxBytesPerSecond = tx.PerSecond ?? FiniteMean.Of(reads, s => s.NvlinkTxBytesPerSecond),
            NvlinkRxBytesPerSecond = rx.PerSecond ?? FiniteMean.Of(reads, s => s.NvlinkRxBytesPerSecond),
            ThrottledRatio = withReasons == 0 ? null : (double)throttled / withReasons,
            CounterResets = energy.Resets + tx.Resets + rx.Resets == 0 ? [] : Resets(energy, tx, rx),
        };
    }

    private static bool IsThrottled(IReadOnlyList<string> reasons)
    {
        for (var i = 0; i < reasons.Count; i++)
        {
            if (ClockEventReasons.Throttling.Contains(reasons[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The counters that went backwards in the window (rare: built only then).</summary>
    private static string[] Resets(CounterIncrease energy, CounterIncrease tx, CounterIncrease rx) =>
        [.. new[] { ("energy", energy.Resets), ("nvlink_tx", tx.Resets), ("nvlink_rx", rx.Resets) }.Where(c => c.Item2 > 0).Select(c => c.Item1)];

    private static CounterIncrease Increase(ReadOnlySpan<GpuSample> reads, Func<GpuSample, double?> counter)
    {
        var increase = default(CounterIncrease);
        foreach (var r in reads)
        {
            increase.Add(counter(r), r.Timestamp);
        }

        return increase;
    }
}
