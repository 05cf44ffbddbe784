using SolProfiler.Analysis.Windows;
using SolProfiler.Telemetry.Gpu;

namespace SolProfiler.Analysis.Tests.Windows;

public sealed class GpuWindowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static GpuSnapshot Read(double seconds, double energy, double dram, double? tx, params string[] reasons) => new()
    {
        Backend = "test",
        Timestamp = T0.AddSeconds(seconds),
        Gpus =
        [
            new GpuSample
            {
                Index = 0,
                Timestamp = T0.AddSeconds(seconds),
                Name = "NVIDIA H100 80GB HBM3",
                EnergyJoules = energy,
                PowerWatts = 999, // ignored: the energy counter gives the mean power
                DramActiveRatio = dram,
                NvlinkTxBytes = tx,
                ThrottleReasons = reasons,
            },
        ],
    };

    [Fact]
    public void Power_comes_from_the_energy_counter_and_a_reset_counts_from_zero()
    {
        var window = new GpuWindow(TimeSpan.FromSeconds(30));
        window.Add(Read(0, 1000, 0.2, 0));
        window.Add(Read(1, 1400, 0.4, 5e9, "sw_power_cap"));  // +400 J in 1 s
        window.Add(Read(2, 10, 0.6, 1e9));                    // driver reload: the counter restarts, +10 J since
        window.Add(Read(3, 210, 0.8, 3e9, "gpu_idle"));        // +200 J in 1 s

        var rates = Assert.Single(window.Rates(T0.AddSeconds(3)));

        Assert.Equal(610.0 / 3, rates.PowerWatts!.Value, 1e-9);    // (400 + 10 + 200) J / 3 s, as Prometheus's increase() counts
        Assert.Equal(0.5, rates.DramActiveRatio!.Value, 1e-12);    // mean of 0.2..0.8
        Assert.Equal(8e9 / 3, rates.NvlinkTxBytesPerSecond!.Value, 1); // (5e9 + 1e9 + 2e9) / 3 s
        Assert.Equal(["energy", "nvlink_tx"], rates.CounterResets);
        Assert.Equal(0.25, rates.ThrottledRatio!.Value, 1e-12);    // sw_power_cap in 1 of 4 reads; gpu_idle is not throttling
        Assert.Equal(4, rates.Reads);
    }

    [Fact]
    public void Reads_older_than_the_window_age_out_and_down_snapshots_are_ignored()
    {
        var window = new GpuWindow(TimeSpan.FromSeconds(5));
        window.Add(Read(0, 0, 1.0, null));
        window.Add(new GpuSnapshot { Backend = "test", Timestamp = T0.AddSeconds(8), DownReason = "gone" });
        window.Add(Read(9, 100, 0.1, null));
        window.Add(Read(10, 300, 0.3, null));

        var rates = Assert.Single(window.Rates(T0.AddSeconds(10)));

        Assert.Equal(0.2, rates.DramActiveRatio!.Value, 1e-12);
        Assert.Equal(200, rates.PowerWatts!.Value, 1e-9);
        Assert.Null(rates.NvlinkTxBytesPerSecond);
        Assert.Empty(window.Rates(T0.AddSeconds(60)));
    }

    [Fact]
    public void A_clock_stepped_back_restarts_the_window_and_future_reads_are_dropped()
    {
        var window = new GpuWindow(TimeSpan.FromSeconds(30));
        window.Add(Read(0, 1000, 0.5, null));
        window.Add(Read(1, 1400, 0.5, null));   // 400 W
        window.Add(Read(-3600, 1700, 0.5, null)); // the clock steps back an hour; 300 J later
        window.Add(Read(-3599, 1900, 0.5, null)); // 200 W

        var rates = Assert.Single(window.Rates(T0.AddSeconds(-3599)));
        Assert.Equal(200, rates.PowerWatts!.Value, 1e-9);
        Assert.Equal(2, rates.Reads);

        Assert.Empty(window.Rates(T0.AddSeconds(-7200))); // back again, nothing new read: the held reads are in the future
    }
}
