using SolProfiler.Analysis;
using SolProfiler.Sol.Hardware;
using SolProfiler.Sol.Models;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Analysis.Tests;

/// <summary>
/// The gap causes against a step built by hand from known inefficiencies: HBM at 80 % of peak, 5 % extra bytes,
/// 1.5 ms host overhead, 0.8 ms exposed communication, collectives on 15 % of the SMs. SOL (ms): weights 2.6,
/// KV 0.4, compute 0.3, comm 1.0 -> step max(3.0, 0.3) + 1.0 = 4.0. Measured: bytes at peak 1.05 x 3.0 = 3.15,
/// at 80 % 3.9375; comm 1.8; busy 5.7375; step 7.2375.
/// </summary>
public sealed class GapAnalyzerTests
{
    private const double Ms = 1e-3;
    private const double Tol = 1e-12;
    private static readonly GapOptions Options = new() { CommSmShare = 0.15 };

    internal static SolResult Sol(double weights, double kv, double compute, double comm, double energy)
    {
        var prepared = SolModel.Prepare(new SolConfiguration(
            ModelCatalog.BuiltIn.Get("llama-3.1-70b"), GpuCatalog.BuiltIn.Get("h100-sxm"), new Parallelism(8), new PrecisionChoice(), null));
        var step = Math.Max(Math.Max(weights + kv, compute) + comm, energy);
        return prepared.Evaluate(32, 1024) with { Seconds = new SolSeconds(weights, kv, compute, comm, energy, step) };
    }

    private static OperatingPoint Measured(double busyMs, double smActiveMs, double dramAtPeakMs, double stepMs, double? throttled = 0) => new()
    {
        WindowStart = DateTimeOffset.UnixEpoch,
        WindowEnd = DateTimeOffset.UnixEpoch.AddSeconds(30),
        MeasuredStepSeconds = stepMs * Ms,
        BusyRatio = busyMs / stepMs,
        SmActiveRatio = smActiveMs / stepMs,
        DramActiveRatio = dramAtPeakMs / stepMs,
        ThrottledRatio = throttled,
    };

    // busy 5.7375; SM active: phase 3.9375 + 0.15 x comm 1.8 = 4.2075; DRAM at peak 3.15; step 7.2375.
    private static OperatingPoint Reference(double? throttled = 0) => Measured(5.7375, 4.2075, 3.15, 7.2375, throttled);

    [Fact]
    public void Recovers_each_injected_inefficiency()
    {
        var gap = GapAnalyzer.Analyze(Reference(), Sol(2.6 * Ms, 0.4 * Ms, 0.3 * Ms, 1.0 * Ms, 0.9 * Ms), Options);

        Assert.Equal(4.0 / 7.2375, gap.Efficiency, Tol);
        Assert.Equal(1.5 * Ms, gap.Causes.Idle, Tol);
        Assert.Equal(0.8 * Ms, gap.Causes.Communication, Tol);
        Assert.Equal(0.15 * Ms, gap.Causes.ExtraBytes, Tol);
        Assert.Equal((3.9375 - 3.15) * Ms, gap.Causes.UnusedBandwidth, Tol);
        Assert.Equal(0, gap.Causes.Throttling, Tol);
        Assert.Equal(0, gap.Causes.Unattributed, Tol);
        Assert.Equal(gap.MeasuredStepSeconds, gap.SolStepSeconds + gap.Causes.Sum, Tol);
        Assert.Empty(gap.Warnings);
    }

    /// <summary>An overlapped SOL: step max(weights + KV, compute, comm), energy far below it.</summary>
    private static SolResult OverlapSol(double weights, double kv, double compute, double comm)
    {
        var step = Math.Max(Math.Max(weights + kv, compute), comm);
        var sol = Sol(weights, kv, compute, comm, 0.1 * Ms);
        return sol with { Schedule = SolSchedule.Overlap, Seconds = sol.Seconds with { Step = step } };
    }

    [Fact]
    public void Under_an_overlapped_sol_exposed_communication_is_what_the_engine_could_have_hidden()
    {
        // SOL (ms): weights 4, KV 2, compute 3, comm 5 -> overlap step max(6, 3, 5) = 6, no communication exposed.
        // Engine: bytes at peak 6.5 (0.5 extra), phase 7 (0.5 below peak), its collectives hide under that phase
        // (max(0, 5 - 7) = 0 exposed) but 0.8 ms more run on the critical path; idle 1. busy 7.8, SM active
        // 7 + 0.15 x 0.8 = 7.12, step 8.8: gap 2.8 = idle 1 + comm 0.8 + extra 0.5 + unused 0.5.
        var gap = GapAnalyzer.Analyze(Measured(7.8, 7.12, 6.5, 8.8), OverlapSol(4 * Ms, 2 * Ms, 3 * Ms, 5 * Ms), Options);

        Assert.Equal(6.0 / 8.8, gap.Efficiency, Tol);
        Assert.Equal(1.0 * Ms, gap.Causes.Idle, Tol);
        Assert.Equal(0.8 * Ms, gap.Causes.Communication, Tol);
        Assert.Equal(0.5 * Ms, gap.Causes.ExtraBytes, Tol);
        Assert.Equal(0.5 * Ms, gap.Causes.UnusedBandwidth, Tol);
        Assert.Equal(0, gap.Causes.Unattributed, Tol);
    }

    [Fact]
    public void Under_an_overlapped_comm_bound_sol_a_slow_phase_costs_only_what_shows_beyond_the_collectives()
    {
        // SOL (ms): weights 4, KV 2, compute 3, comm 6.6 -> step 6.6, of which 0.6 is communication the phase cannot
        // hide. Engine as above (phase 7: 0.5 extra bytes and 0.5 below peak, 0.8 exposed communication, idle 1):
        // its phase hides all 6.6 of collectives, so the phase shows only 7 - 6.6 = 0.4 beyond the SOL, split in
        // proportion: extra 0.2, unused 0.2. gap 8.8 - 6.6 = 2.2 = 1 + 0.8 + 0.2 + 0.2.
        var gap = GapAnalyzer.Analyze(Measured(7.8, 7.12, 6.5, 8.8), OverlapSol(4 * Ms, 2 * Ms, 3 * Ms, 6.6 * Ms), Options);

        Assert.Equal(1.0 * Ms, gap.Causes.Idle, Tol);
        Assert.Equal(0.8 * Ms, gap.Causes.Communication, Tol);
        Assert.Equal(0.2 * Ms, gap.Causes.ExtraBytes, Tol);
        Assert.Equal(0.2 * Ms, gap.Causes.UnusedBandwidth, Tol);
        Assert.Equal(0, gap.Causes.Unattributed, Tol);
        Assert.Equal(gap.MeasuredStepSeconds, gap.SolStepSeconds + gap.Causes.Sum, Tol);
    }

    [Fact]
    public void A_serial_engine_under_an_overlapped_sol_shows_its_collectives_as_exposed_communication()
    {
        // SOL (ms): overlap with weights 2 x 3 (each half re-reads them), KV 0.4, compute 1, comm 2 -> step 6.4.
        // A serial engine reads the weights once: bytes at peak 3.4, phase 3.4, all 2 ms of collectives exposed
        // (SM active 3.4 + 0.15 x 2 = 3.7), idle 1.6: step 7.0, gap 0.6. Its phase beats the overlapped one (it
        // reads less), so no phase cause; idle 1.6 and communication 2.0 claim more than the gap and are scaled to it.
        var gap = GapAnalyzer.Analyze(Measured(5.4, 3.7, 3.4, 7.0), OverlapSol(6 * Ms, 0.4 * Ms, 1 * Ms, 2 * Ms), Options);

        Assert.Equal(0, gap.Causes.ExtraBytes, Tol);
        Assert.Equal(0, gap.Causes.UnusedBandwidth, Tol);
        Assert.All(new[] { gap.Causes.Idle, gap.Causes.Communication, gap.Causes.Unattributed }, c => Assert.True(c >= 0, $"cause {c} < 0"));
        Assert.Equal(gap.MeasuredStepSeconds, gap.SolStepSeconds + gap.Causes.Sum, Tol);
        Assert.True(gap.Causes.Communication > 0, "the serial engine's collectives are exposed where the SOL hides them");
    }

    [Fact]
    public void Below_peak_time_in_throttled_reads_is_throttling()
    {
        var gap = GapAnalyzer.Analyze(Reference(throttled: 0.5), Sol(2.6 * Ms, 0.4 * Ms, 0.3 * Ms, 1.0 * Ms, 0.9 * Ms), Options);

        Assert.Equal(0.39375 * Ms, gap.Causes.Throttling, Tol);
        Assert.Equal(0.39375 * Ms, gap.Causes.UnusedBandwidth, Tol);
        Assert.Equal(gap.MeasuredStepSeconds, gap.SolStepSeconds + gap.Causes.Sum, Tol);
    }

    [Fact]
    public void An_energy_bound_sol_takes_its_slowdown_out_of_the_causes()
    {
        // Energy bound 5.0 ms instead of 4.0: the extra 1.0 ms comes off unused bandwidth (0.7875), extra bytes
        // (0.15), then communication (0.0625 of 0.8).
        var gap = GapAnalyzer.Analyze(Reference(), Sol(2.6 * Ms, 0.4 * Ms, 0.3 * Ms, 1.0 * Ms, 5.0 * Ms), Options);

        Assert.Equal(5.0 * Ms, gap.SolStepSeconds, Tol);
        Assert.Equal(1.5 * Ms, gap.Causes.Idle, Tol);
        Assert.Equal(0, gap.Causes.UnusedBandwidth, Tol);
        Assert.Equal(0, gap.Causes.ExtraBytes, Tol);
        Assert.Equal(0.7375 * Ms, gap.Causes.Communication, Tol);
        Assert.Equal(gap.MeasuredStepSeconds, gap.SolStepSeconds + gap.Causes.Sum, Tol);
    }

    [Fact]
    public void A_step_faster_than_the_sol_is_published_as_measured_with_a_warning()
    {
        var gap = GapAnalyzer.Analyze(Measured(2.5, 2.4, 2.0, 3.0), Sol(2.6 * Ms, 0.4 * Ms, 0.3 * Ms, 1.0 * Ms, 0.9 * Ms), Options);

        Assert.Equal(4.0 / 3.0, gap.Efficiency, Tol);
        Assert.Equal(-1.0 * Ms, gap.Causes.Unattributed, Tol);
        Assert.Equal(0, gap.Causes.Idle + gap.Causes.ExtraBytes + gap.Causes.UnusedBandwidth + gap.Causes.Communication + gap.Causes.Throttling);
        Assert.Contains(gap.Warnings, w => w.Contains("faster than the SOL", StringComparison.Ordinal) && w.Contains("likely wrong", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_gpu_activity_the_whole_gap_is_unattributed()
    {
        var point = Reference() with { BusyRatio = null, SmActiveRatio = null, DramActiveRatio = null };
        var gap = GapAnalyzer.Analyze(point, Sol(2.6 * Ms, 0.4 * Ms, 0.3 * Ms, 1.0 * Ms, 0.9 * Ms), Options);

        Assert.Equal(3.2375 * Ms, gap.Causes.Unattributed, Tol);
        Assert.Contains(gap.Warnings, w => w.Contains("no GPU activity", StringComparison.Ordinal));
    }

    [Fact]
    public void Telemetry_that_claims_more_than_the_gap_is_scaled_to_it()
    {
        // All idle by graphics activity (busy 10 %) but the step is only 1 ms over the SOL: idle alone claims 0.9 x 5.
        var point = Measured(0.5, 0.5, 0.5, 5.0);
        var gap = GapAnalyzer.Analyze(point, Sol(2.6 * Ms, 0.4 * Ms, 0.3 * Ms, 1.0 * Ms, 0.9 * Ms), Options);

        Assert.Equal(1.0 * Ms, gap.Causes.Sum, Tol);
        Assert.Equal(0, gap.Causes.Unattributed, Tol);
        Assert.True(gap.Causes.Idle > 0);
    }

    [Theory]
    [InlineData(0.3, 0.1, 0.05, 4.1, 0.0)]
    [InlineData(0.99, 0.99, 0.9, 12.0, 1.0)]
    [InlineData(0.7, 0.9, 0.2, 6.0, 0.3)]
    [InlineData(1.0, 0.0, 1.0, 20.0, 0.0)]
    public void Causes_are_never_negative_and_always_sum_with_the_sol_to_the_measured_step(double busy, double sm, double dram, double stepMs, double throttled)
    {
        var point = Measured(busy * stepMs, sm * stepMs, dram * stepMs, stepMs, throttled);
        var gap = GapAnalyzer.Analyze(point, Sol(2.6 * Ms, 0.4 * Ms, 0.3 * Ms, 1.0 * Ms, 0.9 * Ms), Options);

        Assert.All(gap.Causes.ByLabel(), c => Assert.True(c.Seconds >= 0, $"{c.Cause} = {c.Seconds}"));
        Assert.Equal(stepMs * Ms, gap.SolStepSeconds + gap.Causes.Sum, 1e-12);
    }
}
