using SolProfiler.Sol.Modeling;

namespace SolProfiler.Sol.Tests;

public class BoundTests
{
    [Fact]
    public void Bound_moves_from_weights_to_compute_as_batch_grows()
    {
        // Llama-3.1-8B bf16 on one H100, no context: weights cost W/BW every step; compute 2 P_active B / peak.
        // The ridge is where they meet: B* = W / BW x peak / (2 P_active) (about 300 for 16-bit weights on H100).
        var gpu = Sol.Gpu("h100-sxm");
        var sol = Sol.Prepare("llama-3.1-8b", "h100-sxm");
        var ridge = sol.Evaluate(1, 0).Seconds.Weights * gpu.PeakFlopsPerSecond[MathPrecision.Bf16].Value / (2.0 * sol.Parameters.ActiveExcludingEmbedding);
        Assert.InRange(ridge, 200, 400);
        Assert.Equal(SolBound.Weights, sol.Evaluate(1, 0).Bound);
        Assert.Equal(SolBound.Weights, sol.Evaluate((int)(ridge * 0.8), 0).Bound);
        Assert.Equal(SolBound.Compute, sol.Evaluate((int)(ridge * 1.5), 0).Bound);
    }

    [Fact]
    public void Step_is_roofline_plus_communication_when_not_energy_bound()
    {
        var r = Sol.Prepare("llama-3.1-70b", "h100-sxm", tp: 8).Evaluate(64, 2048);
        var s = r.Seconds;
        Assert.NotEqual(SolBound.Energy, r.Bound);
        Sol.Close(Math.Max(s.Weights + s.Kv, s.Compute) + s.Comm, s.Step);
        Sol.Close(1, r.Shares.Weights + r.Shares.Kv + r.Shares.Compute + r.Shares.Comm);
        Sol.Close(1 / s.Step, r.TokensPerSecondPerUser);
        Sol.Close(64 / (s.Step * 8), r.TokensPerSecondPerGpu);
    }

    [Fact]
    public void Weights_time_is_the_TP_slice_over_HBM_bandwidth()
    {
        // Every parameter but the input embedding, bf16, split 8 ways; read at the catalog HBM bandwidth.
        var gpu = Sol.Gpu("h100-sxm");
        var sol = Sol.Prepare("llama-3.1-70b", "h100-sxm", tp: 8);
        var p = sol.Parameters;
        var bytesPerGpu = (p.Total - p.Embedding) * 2.0 / 8;
        var layerNorms = 80 * 2 * 8192 * 2.0; // norms are replicated, not split: add back 7/8 of them
        var r = sol.Evaluate(1, 0);
        Sol.Close(bytesPerGpu + (layerNorms * 7 / 8) + (8192 * 2.0 * 7 / 8), r.WeightBytesPerGpu);
        Sol.Close(r.WeightBytesPerGpu / gpu.MemoryBandwidthBytesPerSecond.Value, r.Seconds.Weights);
    }

    [Fact]
    public void Energy_bound_takes_over_for_fp8_at_large_batch()
    {
        // At FP8 tensor peak an H100 would draw more than its power cap allows (it clocks down in practice):
        // compute-bound steps become energy-bound. At batch 1 the weights set the step.
        var gpu = Sol.Gpu("h100-sxm");
        var fp8Power = gpu.PeakFlopsPerSecond[MathPrecision.Fp8].Value * gpu.JoulesPerFlop[MathPrecision.Fp8].Value;
        Assert.True(fp8Power > gpu.PowerCapWatts.Value - gpu.IdlePowerWatts.Value, "catalog: FP8 at peak should exceed the power headroom");

        var sol = Sol.Prepare("llama-3.1-8b", "h100-sxm", weights: Precision.Fp8);
        Assert.Equal(SolBound.Weights, sol.Evaluate(1, 0).Bound);
        var big = sol.Evaluate(2048, 0);
        Assert.Equal(SolBound.Energy, big.Bound);

        // t_energy = (8 e_hbm bytes + e_flop FLOPs) / (cap - idle); TP 1, so no link energy. The GEMMs run at FP8, the
        // LM head (2 x V x h per token) at bf16; no context, so no attention FLOPs.
        var headFlops = 2048 * 2.0 * sol.Parameters.LmHead;
        var joules = (8 * gpu.HbmJoulesPerBit.Value * (big.WeightBytesPerGpu + big.KvBytesPerGpu))
            + (gpu.JoulesPerFlop[MathPrecision.Fp8].Value * (big.FlopsPerGpu - headFlops)) + (gpu.JoulesPerFlop[MathPrecision.Bf16].Value * headFlops);
        Sol.Close(joules / (gpu.PowerCapWatts.Value - gpu.IdlePowerWatts.Value), big.Seconds.Step);
        Assert.True(big.Seconds.Step > big.Seconds.Compute);
    }

    [Fact]
    public void Bf16_at_large_batch_stays_compute_bound()
    {
        var r = Sol.Prepare("llama-3.1-8b", "h100-sxm").Evaluate(2048, 0);
        Assert.Equal(SolBound.Compute, r.Bound);
    }

    [Fact]
    public void Joules_per_token_include_idle_power_over_the_step()
    {
        var gpu = Sol.Gpu("h100-sxm");
        var r = Sol.Prepare("llama-3.1-8b", "h100-sxm").Evaluate(32, 1000);
        var dynamic = (8 * gpu.HbmJoulesPerBit.Value * (r.WeightBytesPerGpu + r.KvBytesPerGpu)) + (gpu.JoulesPerFlop[MathPrecision.Bf16].Value * r.FlopsPerGpu);
        Sol.Close(((gpu.IdlePowerWatts.Value * r.Seconds.Step) + dynamic) / 32, r.JoulesPerToken);
    }

    [Fact]
    public void Speculative_decoding_divides_the_verify_step_by_the_accepted_length()
    {
        var plain = Sol.Prepare("llama-3.1-70b", "h200-sxm", tp: 8).Evaluate(8, 1000);
        var spec = Sol.Prepare("llama-3.1-70b", "h200-sxm", tp: 8, speculative: new SpeculativeDecoding(3, 2.5)).Evaluate(8, 1000);
        Sol.Close(spec.Seconds.Step / 2.5, spec.SecondsPerOutputToken);
        Sol.Close(2.5 / spec.Seconds.Step, spec.TokensPerSecondPerUser);
        Assert.Equal(plain.Seconds.Weights, spec.Seconds.Weights);      // weights read once per verify step
        Sol.Close(4 * plain.FlopsPerGpu, spec.FlopsPerGpu, 0.02);         // 4 scored positions; attention reads shared
        Assert.True(spec.TokensPerSecondPerUser > plain.TokensPerSecondPerUser);
    }

    [Fact]
    public void Pipeline_parallelism_adds_capacity_not_per_token_speed()
    {
        // 70B in bf16 on H100: PP 2 x TP 4 holds half the weights per GPU but a token still crosses both stages.
        var tp4 = Sol.Prepare("llama-3.1-70b", "h100-sxm", tp: 4).Evaluate(16, 1000);
        var pp2 = Sol.Prepare("llama-3.1-70b", "h100-sxm", tp: 4, pp: 2).Evaluate(16, 1000);
        Assert.True(pp2.ResidentWeightBytesPerGpu < 0.6 * tp4.ResidentWeightBytesPerGpu);
        Assert.True(pp2.Seconds.Weights >= tp4.Seconds.Weights * 0.99, "PP must not make weight reads faster per token");
        Assert.True(pp2.TokensPerSecondPerGpu < tp4.TokensPerSecondPerGpu);
        // Each GPU holds and reads only its stage's KV, once per step: half the KV time of TP 4 alone.
        Sol.Close(tp4.Seconds.Kv / 2, pp2.Seconds.Kv);
    }
}
