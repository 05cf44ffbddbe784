namespace SolProfiler.Sol.Tests;

public class CapacityTests
{
    [Fact]
    public void Seventy_B_in_bf16_does_not_fit_one_H100_but_is_still_computed()
    {
        var r = Sol.Prepare("llama-3.1-70b", "h100-sxm").Evaluate(1, 1000);
        Assert.False(r.Fits);
        Assert.Equal(0, r.MaxBatchThatFits);
        Assert.Contains(r.Warnings, w => w.Contains("does not fit", StringComparison.Ordinal));
        Assert.True(r.Seconds.Step > 0);
    }

    [Fact]
    public void Max_batch_is_free_memory_over_KV_per_sequence()
    {
        // Llama-3.1-8B bf16 on one H100: resident = every parameter x 2 bytes; each sequence of L tokens holds L x 131,072 B.
        var gpu = Sol.Gpu("h100-sxm");
        var sol = Sol.Prepare("llama-3.1-8b", "h100-sxm");
        const double context = 8192;
        var resident = sol.Parameters.Total * 2.0;
        var expected = (long)Math.Floor((gpu.MemoryBytes.Value - resident) / (context * 131_072));
        var r = sol.Evaluate(1, context);
        Sol.Close(resident, r.ResidentWeightBytesPerGpu);
        Assert.Equal(expected, r.MaxBatchThatFits);
        Assert.True(sol.Evaluate((int)expected, context).Fits);
        Assert.False(sol.Evaluate((int)expected + 1, context).Fits);
    }

    [Fact]
    public void No_context_means_no_KV_limit()
    {
        Assert.Null(Sol.Prepare("llama-3.1-8b", "h100-sxm").Evaluate(1, 0).MaxBatchThatFits);
    }
}
