using SolProfiler.Sol.Hardware;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Sol.Tests;

/// <summary>
/// The step is the least over the schedules (DESIGN.md section 3), by hand on <see cref="Sol.RoundGpu"/> (1 TB/s,
/// 1 PFLOP/s bf16, 100 GB/s link, 10 us floor, ring only, no energy cost): Llama-3.1-70B bf16 at TP 8, no context,
/// so a step is weights W, FLOPs 2 x active x B / 8, and 160 ring all-reduces of B x 8,192 x 2 bytes. Norm
/// parameters (under 0.01 % of the active ones) carry no GEMM FLOPs: hence the 1e-4 tolerance on FLOP-set terms.
/// </summary>
public class ScheduleTests
{
    private static readonly PreparedSol Llama = Sol.Prepare("llama-3.1-70b", Sol.RoundGpu(), new Parallelism(Tp: 8));

    private static (double Serial, double Overlap) Hand(int batch)
    {
        var w = Llama.Evaluate(1, 0).WeightBytesPerGpu / 1e12;              // seconds to read one GPU's weights
        var perToken = 2.0 * Llama.Parameters.ActiveExcludingEmbedding / 8 / 1e15;
        double Comm(double b) => 160 * ((1.75 * b * 8192 * 2 / 1e11) + 2e-5);
        var serial = Math.Max(w, batch * perToken) + Comm(batch);
        var overlap = 2 * Math.Max(Math.Max(w, batch / 2.0 * perToken), Comm(batch / 2.0));
        return (serial, overlap);
    }

    [Fact]
    public void At_small_batch_the_serial_schedule_wins_because_overlap_reads_the_weights_twice()
    {
        // B 2: serial = 17.6 ms of weights + 160 x (0.57 + 20) us = 20.9 ms; overlap = 2 x 17.6 ms.
        var r = Llama.Evaluate(2, 0);
        var (serial, overlap) = Hand(2);
        Assert.Equal(SolSchedule.Serial, r.Schedule);
        Sol.Close(serial, r.Seconds.Step, 1e-4);
        Sol.Close(serial, r.SerialStepSeconds, 1e-4);
        Sol.Close(overlap, r.OverlapStepSeconds!.Value, 1e-4);
        Assert.InRange(overlap / serial, 1.6, 1.8);
    }

    [Fact]
    public void At_large_batch_overlap_hides_the_compute_under_the_all_reduces()
    {
        // B 8192: compute 144.6 ms, 160 all-reduces of 134 MB = 376 ms: serial 521 ms; overlapped halves
        // 2 x max(72.3 ms, 188 ms) = 377 ms, communication-bound.
        var r = Llama.Evaluate(8192, 0);
        var (serial, overlap) = Hand(8192);
        Assert.Equal(SolSchedule.Overlap, r.Schedule);
        Assert.Equal(SolBound.Comm, r.Bound);
        Sol.Close(overlap, r.Seconds.Step, 1e-4);
        Sol.Close(serial, r.SerialStepSeconds, 1e-4);
        Assert.True(r.Seconds.Step < 0.75 * r.SerialStepSeconds);
        Sol.Close(2 * Llama.Evaluate(1, 0).WeightBytesPerGpu, r.WeightBytesPerGpu); // each half re-reads the weights
        Assert.Equal(320, r.CollectivesPerStep);                                     // and runs its own collectives
    }

    [Fact]
    public void A_batch_of_one_cannot_be_split_so_there_is_no_overlapped_step()
    {
        var r = Llama.Evaluate(1, 0);
        Assert.Equal(SolSchedule.Serial, r.Schedule);
        Assert.Null(r.OverlapStepSeconds);
    }

    [Fact]
    public void The_step_is_never_above_either_schedule()
    {
        foreach (var b in new[] { 2, 16, 64, 256, 1024, 4096, 16384 })
        {
            var r = Llama.Evaluate(b, 2048);
            Assert.Equal(Math.Min(r.SerialStepSeconds, r.OverlapStepSeconds!.Value), r.Seconds.Step);
        }
    }

    [Fact]
    public void Dense_layers_under_attention_DP_take_the_cheaper_of_all_gather_and_reduce_scatter_or_the_group_split()
    {
        // DeepSeek-V3's 3 dense layers at TP 8 with attention-DP 8: over all 8 ranks they need an all-gather and a
        // reduce-scatter each (6 collectives of B x h); inside each one-rank attention group they need none but
        // read the whole dense FFN (3 x 3 x 7,168 x 18,432 x ~1 B = 1.19 GB, 1.19 ms at 1 TB/s) on every GPU.
        var sol = Sol.Prepare("deepseek-v3", Sol.RoundGpu(), new Parallelism(Tp: 8, Ep: 8, AttentionDp: 8));
        var small = sol.Evaluate(8, 0);
        Assert.Equal(8, small.DenseTp);
        var huge = sol.Evaluate(65536, 0);
        Assert.Equal(1, huge.DenseTp);
        Assert.Equal(6, sol.CollectivesOf(0, 0).Where(c => c.Kind is CollectiveKind.AllGather or CollectiveKind.ReduceScatter).Sum(c => c.Count));
        Assert.DoesNotContain(sol.CollectivesOf(1, 0), c => c.Kind is CollectiveKind.AllGather or CollectiveKind.ReduceScatter);
    }
}
