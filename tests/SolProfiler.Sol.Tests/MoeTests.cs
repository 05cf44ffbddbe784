using SolProfiler.Sol.Modeling;

namespace SolProfiler.Sol.Tests;

public class MoeTests
{
    [Fact]
    public void Batch_one_touches_exactly_k_experts()
    {
        // E (1 - (1 - k/E)^1) = k
        Assert.Equal(8, PreparedSol.ExpectedDistinctExperts(256, 8, 1), 12);
        Assert.Equal(2, PreparedSol.ExpectedDistinctExperts(8, 2, 1), 12);
    }

    [Fact]
    public void Large_batches_touch_nearly_every_expert()
    {
        // DeepSeek-V3, T = 256: 256 (1 - (31/32)^256) = 256 (1 - e^(256 ln 0.96875)) = 256 (1 - 2.95e-4) = 255.92
        Assert.Equal(255.92, PreparedSol.ExpectedDistinctExperts(256, 8, 256), 2);
        // Mixtral, T = 8: 8 (1 - 0.75^8) = 8 (1 - 0.1001) = 7.2
        Assert.Equal(7.2, PreparedSol.ExpectedDistinctExperts(8, 2, 8), 1);
        // Qwen3-235B, T = 64: 128 (1 - (15/16)^64) = 128 (1 - 0.01616) = 125.9
        Assert.Equal(125.9, PreparedSol.ExpectedDistinctExperts(128, 8, 64), 1);
    }

    [Fact]
    public void Expert_weight_bytes_grow_with_the_experts_touched()
    {
        var sol = Sol.Prepare("deepseek-v3", "h200-sxm", tp: 8, ep: 8);
        var b1 = sol.Evaluate(1, 0);
        var b256 = sol.Evaluate(256, 0);
        Assert.Equal(8, b1.ExpectedExpertsPerLayer!.Value, 9);
        // 58 MoE layers; each touched expert is 3 x 7168 x 2048 FP8 weights (block scales included), 1/8 of them per EP rank
        var expertBytes = 3.0 * 7168 * 2048 * PrecisionFacts.WeightBytesPerElement(Precision.Fp8);
        var extra = 58 * (b256.ExpectedExpertsPerLayer!.Value - 8) / 8 * expertBytes;
        Sol.Close(b1.WeightBytesPerGpu + extra, b256.WeightBytesPerGpu, 1e-9);
    }

    [Fact]
    public void Speculative_verify_tokens_route_like_extra_tokens()
    {
        var sol = Sol.Prepare("mixtral-8x7b", "h100-sxm", speculative: new SpeculativeDecoding(3, 2.5));
        // one sequence, 4 scored positions, 2 experts each: 8 (1 - 0.75^4) = 5.47
        Assert.Equal(8 * (1 - Math.Pow(0.75, 4)), sol.Evaluate(1, 100).ExpectedExpertsPerLayer!.Value, 12);
    }
}
