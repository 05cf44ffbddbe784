using SolProfiler.Sol.Modeling;

namespace SolProfiler.Sol.Tests;

/// <summary>The worked examples of shared/reference/sol-model-notes.md section 5, recomputed by hand.</summary>
public class WorkedExampleTests
{
    [Fact]
    public void Llama_3_3_70B_fp8_on_one_H200_at_batch_64()
    {
        // Weights: 69.5 B block parameters in FP8 (+ block scales) + the 1.05 B-parameter LM head in bf16 = about 70.6 GB;
        //   70.6 GB / 4.8 TB/s = 14.7 ms.
        // KV: 64 sequences x 1,500 tokens x 160 KiB (2 x 8 x 128 x 80 x 1 byte) = 15.7 GB -> 3.3 ms.
        // Linear FLOPs: 2 x 69.5e9 x 64 = 8.9 TFLOP -> 4.5 ms at 1,979 TFLOP/s (plus 0.25 TFLOP of attention).
        // Step: max(14.7 + 3.3, 4.6) = 18.0 ms, memory-bound on weights; 64 / 18.0 ms = 3,550 tok/s/GPU; 55.5 tok/s/user.
        var r = Sol.Prepare("llama-3.3-70b", "h200-sxm", weights: Precision.Fp8, kv: Precision.Fp8).Evaluate(64, 1500);
        Assert.Equal(14.7e-3, r.Seconds.Weights, 0.1e-3);
        Assert.Equal(3.3e-3, r.Seconds.Kv, 0.05e-3);
        Assert.Equal(4.6e-3, r.Seconds.Compute, 0.1e-3);
        Assert.Equal(18.0e-3, r.Seconds.Step, 0.1e-3);
        Assert.Equal(SolBound.Weights, r.Bound);
        Assert.Equal(3550, r.TokensPerSecondPerGpu, 20.0);
        Assert.Equal(55.5, r.TokensPerSecondPerUser, 0.5);
    }

    [Fact]
    public void Llama_3_1_70B_bf16_TP8_batch_one_is_a_communication_regime()
    {
        // Weight slice 141 GB / 8 = 17.6 GB -> 5.3 ms at 3.35 TB/s; 160 all-reduces of 16 KB each cost their latency floor,
        // so communication is a sizeable share of the step (notes: 20-40 % with an 8-20 us floor).
        var gpu = Sol.Gpu("h100-sxm");
        var r = Sol.Prepare("llama-3.1-70b", "h100-sxm", tp: 8).Evaluate(1, 0);
        Assert.Equal(5.2e-3, r.Seconds.Weights, 0.1e-3);
        Assert.True(r.Seconds.Comm > 160 * gpu.CollectiveLatencySeconds.Value);
        Assert.InRange(r.Seconds.Comm / r.Seconds.Step, 0.1, 0.4);
    }
}
