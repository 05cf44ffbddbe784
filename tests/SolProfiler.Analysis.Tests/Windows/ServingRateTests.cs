using SolProfiler.Telemetry.Serving;
using SolProfiler.Analysis.Windows;

namespace SolProfiler.Analysis.Tests.Windows;

public class ServingRateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static ServingSample At(double seconds, double? generated = null, HistogramSnapshot? itl = null, double? running = null, double? preemptions = null) => new()
    {
        Server = ServerKind.Vllm,
        Engine = "0",
        Model = "m",
        Timestamp = T0.AddSeconds(seconds),
        GenerationTokensTotal = generated,
        InterTokenLatency = itl,
        RunningRequests = running,
        PreemptionsTotal = preemptions,
    };

    private static HistogramSnapshot Itl(double sum, double count) => new(sum, count, []);

    [Fact]
    public void Tokens_per_second_come_from_counter_deltas()
    {
        // 1,000 tokens at t=0, 1,600 at t=2, 2,200 at t=4: 1,200 tokens over 4 s
        var r = ServingRateCalculator.Compute([At(0, 1000), At(2, 1600), At(4, 2200)])!;
        Assert.Equal(300, r.GenerationTokensPerSecond);
        Assert.Equal(0, r.CounterResets);
        Assert.Equal(TimeSpan.FromSeconds(4), r.Covered);
    }

    [Fact]
    public void A_counter_reset_counts_the_new_value_as_the_increase_and_is_never_negative()
    {
        // 5,000 -> 5,600 (+600), restart -> 100 (+100 since the restart), -> 400 (+300): 1,000 over 3 s
        var r = ServingRateCalculator.Compute([At(0, 5000), At(1, 5600), At(2, 100), At(3, 400)])!;
        Assert.Equal(1000.0 / 3, r.GenerationTokensPerSecond!.Value, 9);
        Assert.Equal(1, r.CounterResets);
    }

    [Fact]
    public void A_missing_scrape_is_skipped_with_the_time_it_spans()
    {
        // t=0: 0, t=1: missing, t=2: 500, t=3: 800. Only the pair (2,3) is usable: 300 tokens over 1 s.
        var r = ServingRateCalculator.Compute([At(0, 0), At(1, null), At(2, 500), At(3, 800)])!;
        Assert.Equal(300, r.GenerationTokensPerSecond);
    }

    [Fact]
    public void Mean_inter_token_latency_is_delta_sum_over_delta_count()
    {
        // (sum, count): (10 s, 1000) -> (12 s, 1100) -> (15 s, 1200): 5 s over 200 observations = 25 ms
        var r = ServingRateCalculator.Compute([At(0, itl: Itl(10, 1000)), At(1, itl: Itl(12, 1100)), At(2, itl: Itl(15, 1200))])!;
        Assert.Equal(0.025, r.MeanInterTokenLatencySeconds!.Value, 12);
        Assert.Equal(200, r.InterTokenObservations);
    }

    [Fact]
    public void A_histogram_reset_counts_from_zero()
    {
        // (100 s, 4000) -> (102 s, 4100): +2 s / 100; restart -> (1 s, 40): +1 s / 40. Mean = 3 s / 140.
        var r = ServingRateCalculator.Compute([At(0, itl: Itl(100, 4000)), At(1, itl: Itl(102, 4100)), At(2, itl: Itl(1, 40))])!;
        Assert.Equal(3.0 / 140, r.MeanInterTokenLatencySeconds!.Value, 12);
        Assert.Equal(1, r.CounterResets);
    }

    [Fact]
    public void Absent_inputs_stay_absent()
    {
        var r = ServingRateCalculator.Compute([At(0, running: 4), At(1, running: 6)])!;
        Assert.Null(r.GenerationTokensPerSecond);
        Assert.Null(r.MeanInterTokenLatencySeconds);
        Assert.Null(r.PreemptionsPerSecond);
        Assert.Equal(5, r.MeanRunningRequests);
    }

    [Fact]
    public void One_scrape_gives_gauges_but_no_rates()
    {
        var r = ServingRateCalculator.Compute([At(0, 100, running: 3)])!;
        Assert.Null(r.GenerationTokensPerSecond);
        Assert.Equal(3, r.MeanRunningRequests);
    }

    [Fact]
    public void The_window_drops_old_scrapes_and_keeps_engines_apart()
    {
        var window = new ServingWindow(TimeSpan.FromSeconds(10));
        for (var t = 0; t <= 30; t += 1)
        {
            window.Add([At(t, 100.0 * t) with { Engine = "0" }, At(t, 50.0 * t) with { Engine = "1" }]);
        }

        var rates = window.Rates(T0.AddSeconds(30));
        Assert.Equal(["0", "1"], rates.Select(r => r.Engine));
        Assert.Equal(100, rates[0].GenerationTokensPerSecond!.Value, 9);
        Assert.Equal(50, rates[1].GenerationTokensPerSecond!.Value, 9);
        Assert.All(rates, r => Assert.Equal(11, r.Samples)); // t = 20..30
        Assert.Empty(window.Rates(T0.AddSeconds(100)));
    }

    [Fact]
    public void A_clock_stepped_back_restarts_the_window_instead_of_mixing_both_sides()
    {
        var window = new ServingWindow(TimeSpan.FromSeconds(10));
        for (var t = 0; t <= 5; t++)
        {
            window.Add([At(t, 100.0 * t, Itl(0.02 * 100 * t, 100 * t), running: 32)]);
        }

        // NTP steps the clock back an hour; the server keeps counting at 200 tokens/s.
        for (var t = 0; t <= 3; t++)
        {
            window.Add([At(t - 3600 + 6, 500 + (200.0 * (t + 1)), Itl(0.01 * (500 + (200 * (t + 1))), 500 + (200 * (t + 1))), running: 32)]);
        }

        var rates = Assert.Single(window.Rates(T0.AddSeconds(-3600 + 9)));
        Assert.Equal(4, rates.Samples); // only the scrapes after the step
        Assert.Equal(200, rates.GenerationTokensPerSecond!.Value, 9);
        Assert.Equal(0.01, rates.MeanInterTokenLatencySeconds!.Value, 9);
    }

    [Fact]
    public void Scrapes_from_the_future_are_dropped_when_the_clock_went_back_and_nothing_new_came()
    {
        var window = new ServingWindow(TimeSpan.FromSeconds(10));
        window.Add([At(0, 0)]);
        window.Add([At(1, 100)]);

        Assert.Single(window.Rates(T0.AddSeconds(1)));
        Assert.Empty(window.Rates(T0.AddSeconds(-3600))); // an hour back: what is held lies in the future
        Assert.Empty(window.Rates(T0.AddSeconds(3600))); // an hour forward: everything ages out
    }
}
