using SolProfiler.Sol.Modeling;

namespace SolProfiler.Sol.Tests;

/// <summary>Each operation at its own tensor format (DESIGN.md section 3), by hand on <see cref="Sol.RoundGpu"/> (bf16 1, fp8 2, fp4 4 PFLOP/s).</summary>
public class PrecisionPerOperationTests
{
    [Fact]
    public void NVFP4_weights_run_GEMMs_at_fp4_attention_at_the_KV_format_and_the_LM_head_at_bf16()
    {
        // Llama-3.1-70B, W4A4 NVFP4, FP8 KV, TP 1, B 1024, L 1000 (compute-bound): per token
        // GEMMs 2 x (active - LM head) at 4 PF, attention 4 x 64 heads x 128 x 80 layers x 1000 at 2 PF,
        // LM head 2 x 128,256 x 8,192 at 1 PF.
        var sol = Sol.Prepare("llama-3.1-70b", Sol.RoundGpu(), new Parallelism(), new PrecisionChoice(Weights: Precision.Nvfp4, Kv: Precision.Fp8, Activations: Precision.Nvfp4));
        Assert.Equal(MathPrecision.Fp4, sol.Peaks.Linear.Math);
        Assert.Equal(MathPrecision.Fp8, sol.Peaks.Attention.Math);
        Assert.Equal(MathPrecision.Bf16, sol.Peaks.Head.Math);
        Assert.Equal(4e15, sol.Peaks.Linear.FlopsPerSecond);

        var c = sol.Parameters;
        var gemm = 2.0 * (c.ActiveExcludingEmbedding - c.LmHead);
        var attention = 4.0 * 64 * 128 * 80 * 1000;
        var head = 2.0 * c.LmHead;
        var r = sol.Evaluate(1024, 1000);
        Sol.Close(1024 * ((gemm / 4e15) + (attention / 2e15) + (head / 1e15)), r.Seconds.Compute, 1e-4); // norms carry no GEMM FLOPs
        Sol.Close(1024 * (gemm + attention + head), r.FlopsPerGpu, 1e-4);
    }

    [Fact]
    public void FP4_experts_beside_FP8_dense_layers_run_at_the_fp4_peak()
    {
        // DeepSeek-R1 as TensorRT-LLM serves it on Blackwell: FP8 attention and dense layers, NVFP4 routed experts.
        var sol = Sol.Prepare("deepseek-v3", Sol.RoundGpu(), new Parallelism(Tp: 8, Ep: 8), new PrecisionChoice(Weights: Precision.Fp8, ExpertWeights: Precision.Nvfp4, Kv: Precision.Fp8));
        Assert.Equal(MathPrecision.Fp8, sol.Peaks.Linear.Math);
        Assert.Equal(MathPrecision.Fp4, sol.Peaks.Experts.Math);
        Assert.Equal(MathPrecision.Fp8, sol.Peaks.Attention.Math);
        Assert.Equal(MathPrecision.Bf16, sol.Peaks.Head.Math);
    }

    [Fact]
    public void FP8_dispatch_halves_the_bytes_of_expert_dispatch_but_not_of_combine()
    {
        // DeepSeek-V3, TP 8 = EP 8 = attention-DP 8, B 64, no context: each GPU dispatches its 8 tokens to
        // 7 x (1 - C(224,8)/C(256,8)) = 4.6328 other ranks on average, 58 MoE layers, 7,168 x (2 - 1) bytes saved each.
        Parallelism par = new(Tp: 8, Ep: 8, AttentionDp: 8);
        var bf16 = Sol.Prepare("deepseek-v3", Sol.RoundGpu(), par, new PrecisionChoice(Dispatch: Precision.Bf16)).Evaluate(64, 0);
        var fp8 = Sol.Prepare("deepseek-v3", Sol.RoundGpu(), par, new PrecisionChoice(Dispatch: Precision.Fp8)).Evaluate(64, 0);
        Assert.Equal((bf16.Schedule, bf16.DenseTp), (fp8.Schedule, fp8.DenseTp));
        Sol.Close(58 * 8 * 7168 * 4.63282050033467, bf16.CommBytesPerGpu - fp8.CommBytesPerGpu, 1e-6);
    }

    [Fact]
    public void Dispatch_defaults_to_fp8_where_the_GEMMs_take_fp8_inputs()
    {
        Assert.Equal(Precision.Fp8, Sol.Prepare("deepseek-v3", "h200-sxm", tp: 8, ep: 8).Precisions.Dispatch);
        Assert.Equal(Precision.Bf16, Sol.Prepare("qwen3-235b-a22b", "h200-sxm", tp: 8, ep: 8).Precisions.Dispatch);
    }
}
