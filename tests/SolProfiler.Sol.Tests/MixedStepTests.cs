using SolProfiler.Sol.Modeling;
using Xunit.Abstractions;

namespace SolProfiler.Sol.Tests;

/// <summary>Mixed steps (chunked prefill): P prompt tokens computed beside the decode positions (DESIGN.md section 3).</summary>
public class MixedStepTests(ITestOutputHelper output)
{
    private static PreparedSol Llama70bFp8Tp8() =>
        Sol.Prepare("llama-3.1-70b", "h100-sxm", tp: 8, weights: Precision.Fp8, kv: Precision.Fp8, activations: Precision.Fp8);

    /// <summary>
    /// The SOL step from first principles, TP 8, every term per GPU: weights read once per pass (FP8 linear layers, the
    /// LM head in bf16); KV of B sequences of L tokens read, one L-token prefix read for the chunk, B + P tokens written,
    /// each cached byte once across the 8 ranks; linear FLOPs 2 x (active parameters without the LM head) x (B + P) and
    /// attention 4 x heads x head_dim x layers x L per query token at the FP8 peak, the LM head's 2 x V x h for the B
    /// decode positions at the bf16 peak; two all-reduces per layer of (B + P) x hidden x 2 bytes, each at the least of
    /// ring (2 x 7/8 S, 2 floors), one-shot (7 S, 1 floor) and NVLS (S, 1 floor) that the H100 entry supports.
    /// The step is the lesser of serial (max(memory, compute) + comm) and two overlapped halves
    /// (2 x max(max(memory, compute), comm) of a half, each half re-reading the weights).
    /// </summary>
    private static double HandStep(PreparedSol sol, int batch, double context, double prefill)
    {
        var m = Sol.Model("llama-3.1-70b");
        var gpu = Sol.Gpu("h100-sxm");
        var c = sol.Parameters;
        const double tp = 8;
        double layers = m.NumLayers;
        double hidden = m.HiddenSize;
        var nonHead = (double)(c.ActiveExcludingEmbedding - c.LmHead);
        var weightBytes = ((nonHead * 1.0) + (c.LmHead * 2.0)) / tp;
        var kvPerTokenPerGpu = 2.0 * m.NumKvHeads * m.HeadDim * layers * 1.0 / tp;
        var bw = gpu.MemoryBandwidthBytesPerSecond.Value;
        var link = gpu.LinkBandwidthBytesPerSecondPerDirection.Value;
        var floor = gpu.CollectiveLatencySeconds.Value;

        double Pass(double b, double p, double prefixReads, double halves)
        {
            var kvBytes = ((b * context) + (prefixReads * context) + (b + p)) * kvPerTokenPerGpu;
            var attentionPerQuery = 4.0 * m.NumHeads * m.HeadDim * layers * context;
            var fp8Flops = ((2 * nonHead * (b + p)) + (attentionPerQuery * (b + p))) / tp;
            var headFlops = 2.0 * c.LmHead * b / tp;
            var s = hidden * 2.0 * (b + p);
            var perCollective = ((2 * (tp - 1) / tp * s) / link) + (2 * floor);
            if (gpu.ScaleUpAlgorithms.ContainsKey(Hardware.CollectiveAlgorithm.OneShot))
            {
                perCollective = Math.Min(perCollective, ((tp - 1) * s / link) + floor);
            }

            if (gpu.ScaleUpAlgorithms.ContainsKey(Hardware.CollectiveAlgorithm.InSwitch))
            {
                perCollective = Math.Min(perCollective, (s / link) + floor);
            }

            var comm = 2 * layers * perCollective;
            var memory = (weightBytes + kvBytes) / bw;
            var compute = (fp8Flops / gpu.PeakFlopsPerSecond[MathPrecision.Fp8].Value) + (headFlops / gpu.PeakFlopsPerSecond[MathPrecision.Bf16].Value);
            return halves == 1 ? Math.Max(memory, compute) + comm : 2 * Math.Max(Math.Max(memory, compute), comm);
        }

        var prefix = prefill > 0 ? 1.0 : 0.0;
        return Math.Min(Pass(batch, prefill, prefix, 1), Pass(batch / 2.0, prefill / 2, prefix / 2, 2));
    }

    [Fact]
    public void Llama_70B_fp8_TP8_with_512_prompt_tokens_matches_a_hand_computation()
    {
        var sol = Llama70bFp8Tp8();
        var mixed = sol.Evaluate(64, 8192, new StepLoad(512));
        var decode = sol.Evaluate(64, 8192);
        var handMixed = HandStep(sol, 64, 8192, 512);
        var handDecode = HandStep(sol, 64, 8192, 0);
        output.WriteLine($"decode-only SOL step {decode.Seconds.Step * 1e3:F3} ms (hand {handDecode * 1e3:F3} ms, bound {decode.Bound})");
        output.WriteLine($"mixed SOL step, P = 512: {mixed.Seconds.Step * 1e3:F3} ms (hand {handMixed * 1e3:F3} ms, bound {mixed.Bound}); prefill component {mixed.Seconds.Prefill * 1e3:F3} ms");

        Sol.Close(handMixed, mixed.Seconds.Step, 0.01);
        Sol.Close(handDecode, decode.Seconds.Step, 0.01);
        Assert.True(mixed.Seconds.Energy < mixed.Seconds.Step, "the hand computation assumes the roofline, not energy, sets the step");
        // 8.5 ms with the catalog's NVLS on HGX H100 (S / link per all-reduce); ring-only would put it above 10 ms.
        Assert.InRange(mixed.Seconds.Step, 7e-3, 10e-3);
        Assert.Equal(mixed.Seconds.Step - decode.Seconds.Step, mixed.Seconds.Prefill, 15);
        Assert.Equal(512, mixed.PrefillTokens);
        Assert.Equal(1, mixed.TokensPerStep);

        // Weights are read once per pass for decode and prompt tokens together; FLOPs grow by the prompt's (no LM head for
        // them). With NVLS the mixed step's collectives are cheap enough that two overlapped halves win, and each half
        // re-reads the weights, so compare per pass.
        static int Passes(SolResult r) => r.Schedule == SolSchedule.Overlap ? 2 : 1;
        Assert.Equal(SolSchedule.Overlap, mixed.Schedule);
        Assert.Equal(decode.WeightBytesPerGpu / Passes(decode), mixed.WeightBytesPerGpu / Passes(mixed));
        var m = Sol.Model("llama-3.1-70b");
        var perPromptToken = ((2.0 * (sol.Parameters.ActiveExcludingEmbedding - sol.Parameters.LmHead)) + (4.0 * m.NumHeads * m.HeadDim * m.NumLayers * 8192)) / 8;
        Sol.Close(512 * perPromptToken, mixed.FlopsPerGpu - decode.FlopsPerGpu, 2e-3);
    }

    [Theory]
    [InlineData("llama-3.1-70b", "h100-sxm", 8, 1, 1, 1, 64, 8192.0)]
    [InlineData("llama-3.1-8b", "h100-sxm", 1, 1, 1, 1, 1, 1000.0)]
    [InlineData("deepseek-v3", "h200-sxm", 8, 1, 8, 8, 32, 4096.0)]
    [InlineData("llama-3.1-70b", "h100-sxm", 4, 2, 1, 1, 16, 2048.0)]
    [InlineData("gpt-oss-120b", "h100-sxm", 1, 1, 1, 1, 8, 20000.0)]
    public void The_prefill_component_is_zero_without_prompt_tokens_and_grows_with_them(string model, string gpu, int tp, int pp, int ep, int attentionDp, int batch, double context)
    {
        var sol = Sol.Prepare(model, gpu, tp: tp, pp: pp, ep: ep, attentionDp: attentionDp);
        var plain = sol.Evaluate(batch, context);
        var zero = sol.Evaluate(batch, context, new StepLoad(0));
        Assert.Equal(plain, zero with { Warnings = plain.Warnings });
        Assert.Equal(0, zero.Seconds.Prefill);
        Assert.Equal(0, zero.Shares.Prefill);

        var previous = zero;
        foreach (var p in new[] { 0.5, 1, 16, 128, 512, 2048, 8192 })
        {
            var r = sol.Evaluate(batch, context, new StepLoad(p));
            Assert.True(r.Seconds.Prefill > previous.Seconds.Prefill, $"P = {p}: prefill {r.Seconds.Prefill} should exceed {previous.Seconds.Prefill}");
            Assert.True(r.Shares.Prefill > previous.Shares.Prefill, $"P = {p}: prefill share {r.Shares.Prefill} should exceed {previous.Shares.Prefill}");
            Sol.Close(r.Seconds.Step - zero.Seconds.Step, r.Seconds.Prefill, 1e-12);
            Sol.Close(1, r.Shares.Weights + r.Shares.Kv + r.Shares.Compute + r.Shares.Comm + r.Shares.Prefill, 1e-12);
            Assert.True(r.FlopsPerGpu > previous.FlopsPerGpu, $"P = {p}: FLOPs");
            Assert.True(r.KvBytesPerGpu > previous.KvBytesPerGpu, $"P = {p}: KV bytes");
            Assert.True(tp > 1 ? r.CommBytesPerGpu > previous.CommBytesPerGpu : r.CommBytesPerGpu == 0, $"P = {p}: link bytes");
            if (pp == 1 && r.Schedule == zero.Schedule && r.DenseTp == zero.DenseTp)
            {
                // the latency floors are paid per collective, not per token (with PP the stage that sets the step may change)
                Assert.Equal(zero.CollectivesPerStep, r.CollectivesPerStep);
            }

            previous = r;
        }
    }

    [Fact]
    public void Prompt_tokens_route_to_experts_like_decode_tokens()
    {
        // DeepSeek-V3, 256 experts, 8 per token: B = 8 routes 8 tokens, 256 (1 - (31/32)^8) = 57.4 experts;
        // with P = 100 prompt tokens 108 tokens route, 256 (1 - (31/32)^108) = 256 (1 - 0.0324) = 247.7.
        var sol = Sol.Prepare("deepseek-v3", "h200-sxm", tp: 8);
        var decode = sol.Evaluate(8, 2048);
        var mixed = sol.Evaluate(8, 2048, new StepLoad(100));
        output.WriteLine($"experts touched per layer: P = 0 {decode.ExpectedExpertsPerLayer:F1}, P = 100 {mixed.ExpectedExpertsPerLayer:F1}");
        Assert.Equal(256 * (1 - Math.Pow(1 - (8.0 / 256), 8)), decode.ExpectedExpertsPerLayer!.Value, 9);
        Assert.Equal(256 * (1 - Math.Pow(1 - (8.0 / 256), 108)), mixed.ExpectedExpertsPerLayer!.Value, 9);
        Assert.InRange(decode.ExpectedExpertsPerLayer!.Value, 57, 58);
        Assert.InRange(mixed.ExpectedExpertsPerLayer!.Value, 247, 248);
        Assert.True(mixed.WeightBytesPerGpu > 3 * decode.WeightBytesPerGpu / 2, "the prompt's routings pull in most of the experts' weights");
    }

    [Fact]
    public void A_fraction_of_a_prompt_token_per_step_reads_that_fraction_of_a_prefix()
    {
        var sol = Llama70bFp8Tp8();
        var zero = sol.Evaluate(8, 4096);
        var half = sol.Evaluate(8, 4096, new StepLoad(0.5));
        var kvPerTokenPerGpu = sol.KvBytesPerToken / 8;
        // half a prefix of 4096 tokens read, half a token written
        Sol.Close((0.5 * 4096 * kvPerTokenPerGpu) + (0.5 * kvPerTokenPerGpu), half.KvBytesPerGpu - zero.KvBytesPerGpu, 1e-9);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Bad_prompt_token_counts_are_rejected_with_the_value(double prefill)
    {
        var e = Assert.Throws<SolInputException>(() => Llama70bFp8Tp8().Evaluate(8, 1000, new StepLoad(prefill)));
        Assert.Contains($"prefill tokens {prefill}", e.Message, StringComparison.Ordinal);
    }
}
