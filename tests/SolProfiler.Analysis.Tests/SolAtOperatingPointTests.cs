using SolProfiler.Analysis;
using SolProfiler.Sol.Hardware;
using SolProfiler.Sol.Models;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Analysis.Tests;

/// <summary>The SOL at a fractional mean batch, and the Pareto distance at a measured interactivity.</summary>
public sealed class SolAtOperatingPointTests
{
    private static readonly PreparedSol Llama70bTp8 = SolModel.Prepare(new SolConfiguration(
        ModelCatalog.BuiltIn.Get("llama-3.1-70b"), GpuCatalog.BuiltIn.Get("h100-sxm"), new Parallelism(8),
        new PrecisionChoice(Precision.Fp8, null, Precision.Fp8, Precision.Fp8), null));

    [Fact]
    public void A_fractional_batch_lies_between_its_integer_neighbours()
    {
        var lo = Llama70bTp8.Evaluate(37, 1500);
        var hi = Llama70bTp8.Evaluate(38, 1500);

        var mid = FractionalBatch.Evaluate(Llama70bTp8, 37.25, 1500, default);

        Assert.Equal(lo.Seconds.Step + (0.25 * (hi.Seconds.Step - lo.Seconds.Step)), mid.Seconds.Step, 1e-15);
        Assert.Equal(lo.KvBytesPerGpu + (0.25 * (hi.KvBytesPerGpu - lo.KvBytesPerGpu)), mid.KvBytesPerGpu, 1e-3);
        Assert.Equal(1 / mid.SecondsPerOutputToken, mid.TokensPerSecondPerUser, 1e-9);
        Assert.Equal(37, mid.Batch);
    }

    [Fact]
    public void Whole_and_sub_one_batches_are_the_model_itself()
    {
        Assert.Equal(Llama70bTp8.Evaluate(64, 1000).Seconds, FractionalBatch.Evaluate(Llama70bTp8, 64, 1000, default).Seconds);
        Assert.Equal(Llama70bTp8.Evaluate(1, 1000).Seconds, FractionalBatch.Evaluate(Llama70bTp8, 0.4, 1000, default).Seconds);
    }

    [Fact]
    public void The_sol_throughput_at_a_frontier_point_is_that_point()
    {
        var at64 = Llama70bTp8.Evaluate(64, 2048);

        var sol = ParetoDistance.SolTokensPerSecondPerGpuAt(Llama70bTp8, at64.TokensPerSecondPerUser, 2048, default);

        Assert.Equal(at64.TokensPerSecondPerGpu, sol!.Value, at64.TokensPerSecondPerGpu * 1e-9);
    }

    [Fact]
    public void Between_two_batches_the_throughput_is_interpolated_on_interactivity()
    {
        var a = Llama70bTp8.Evaluate(100, 2048);
        var b = Llama70bTp8.Evaluate(101, 2048);
        var target = (a.TokensPerSecondPerUser + b.TokensPerSecondPerUser) / 2;

        var sol = ParetoDistance.SolTokensPerSecondPerGpuAt(Llama70bTp8, target, 2048, default);

        Assert.Equal((a.TokensPerSecondPerGpu + b.TokensPerSecondPerGpu) / 2, sol!.Value, 1e-6);
    }

    [Fact]
    public void Faster_than_the_sol_at_batch_one_compares_with_batch_one()
    {
        var one = Llama70bTp8.Evaluate(1, 2048);

        Assert.Equal(one.TokensPerSecondPerGpu, ParetoDistance.SolTokensPerSecondPerGpuAt(Llama70bTp8, one.TokensPerSecondPerUser * 2, 2048, default));
        Assert.Null(ParetoDistance.SolTokensPerSecondPerGpuAt(Llama70bTp8, 0, 2048, default));
    }

    [Fact]
    public void A_fractional_batch_of_mixed_steps_interpolates_the_prefill_component()
    {
        var load = new StepLoad(256);
        var lo = Llama70bTp8.Evaluate(37, 1500, load);
        var hi = Llama70bTp8.Evaluate(38, 1500, load);
        var mid = FractionalBatch.Evaluate(Llama70bTp8, 37.25, 1500, load);
        Assert.True(lo.Seconds.Prefill > 0);
        Assert.Equal(lo.Seconds.Prefill + (0.25 * (hi.Seconds.Prefill - lo.Seconds.Prefill)), mid.Seconds.Prefill, 12);
        Assert.Equal(lo.Seconds.Step + (0.25 * (hi.Seconds.Step - lo.Seconds.Step)), mid.Seconds.Step, 12);
        Assert.Equal(256, mid.PrefillTokens);
        Assert.True(mid.Seconds.Step > FractionalBatch.Evaluate(Llama70bTp8, 37.25, 1500, default).Seconds.Step);
    }

    [Fact]
    public void The_pareto_distance_of_mixed_steps_is_read_on_the_frontier_of_mixed_steps()
    {
        var load = new StepLoad(512, 3, 2.5);
        var at64 = Llama70bTp8.Evaluate(64, 2048, load);
        var sol = ParetoDistance.SolTokensPerSecondPerGpuAt(Llama70bTp8, at64.TokensPerSecondPerUser, 2048, load);
        Assert.Equal(at64.TokensPerSecondPerGpu, sol!.Value, 6);
        Assert.NotEqual(Llama70bTp8.Evaluate(64, 2048).TokensPerSecondPerGpu, sol.Value, 0);
    }
}
