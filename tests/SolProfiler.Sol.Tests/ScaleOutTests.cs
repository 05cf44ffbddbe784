using SolProfiler.Sol.Hardware;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Sol.Tests;

/// <summary>Groups that leave the scale-up domain pay the scale-out network for the part that crosses (DESIGN.md section 3).</summary>
public class ScaleOutTests
{
    [Fact]
    public void A_16_GPU_expert_parallel_group_over_two_HGX_nodes_crosses_the_NICs()
    {
        // DeepSeek-V3, TP = EP = attention-DP = 16 on two 8-GPU domains: a token's 8 experts (of 256, 16 per rank,
        // 128 per node) reach 7 x (1 - C(240,8)/C(256,8)) = 2.854 other ranks in its node and
        // 1 - C(128,8)/C(256,8) = 0.9965 times the other node; each GPU dispatches its B/16 tokens.
        var sol = Sol.Prepare("deepseek-v3", Sol.RoundGpu(domain: 8), new Parallelism(Tp: 16, Ep: 16, AttentionDp: 16));
        var a2a = sol.CollectivesOf(0, 0).Where(c => c.Kind == CollectiveKind.AllToAll).ToArray();
        Assert.Equal(2, a2a.Length); // dispatch and combine
        Assert.All(a2a, c =>
        {
            Assert.True(c.Crosses);
            Assert.Equal(2, c.Domains);
            Assert.Equal(2.8539347959224064, c.IntraFanout, 12);
            Assert.Equal(0.9965100577159106, c.InterFanout, 12);
            Assert.Equal(58, c.Count);
        });

        // B 256: 16 tokens per GPU x 7,168 B (FP8 dispatch) = 114,688 B: inside 2.854 x that at 100 GB/s = 3.27 us,
        // across 0.9965 x that at 10 GB/s = 11.43 us; + 20 us network floor = 31.43 us per dispatch.
        var (seconds, _) = sol.Fabric.Time(a2a[0], 16 * 7168.0);
        Sol.Close((0.9965100577159106 * 16 * 7168 / 1e10) + 2e-5, seconds);

        // The same group inside one 16-GPU domain costs less, everything else equal.
        var oneDomain = Sol.Prepare("deepseek-v3", Sol.RoundGpu(domain: 16), new Parallelism(Tp: 16, Ep: 16, AttentionDp: 16));
        Assert.All(oneDomain.CollectivesOf(0, 0), c => Assert.False(c.Crosses));
        Assert.True(sol.Evaluate(256, 2048).Seconds.Comm > 1.5 * oneDomain.Evaluate(256, 2048).Seconds.Comm);
    }

    [Fact]
    public void A_72_GPU_group_inside_GB200_NVL72_never_touches_the_network()
    {
        // TP 72 with attention-DP 72 and EP 8 (each expert split 9 ways): every collective stays in the 72-GPU NVLink
        // domain, so no scale-out figure can change the step; the same layout on 8-GPU domains crosses.
        var gb200 = Sol.Gpu("gb200");
        var par = new Parallelism(Tp: 72, Ep: 8, AttentionDp: 72);
        var nvl72 = Sol.Prepare("deepseek-v3", gb200, par);
        var slowNetwork = Sol.Prepare("deepseek-v3", gb200 with { ScaleOut = new ScaleOutNetwork("slow", new SourcedValue(1e6, "test"), new SourcedValue(1, "test")) }, par);
        Assert.All(nvl72.CollectivesOf(0, 0), c => Assert.False(c.Crosses));
        Assert.Equal(nvl72.Evaluate(512, 4096).Seconds.Step, slowNetwork.Evaluate(512, 4096).Seconds.Step);

        var hgx = Sol.Prepare("deepseek-v3", gb200 with { ScaleUpDomainSize = new SourcedValue(8, "test"), ScaleOut = new ScaleOutNetwork("400G", new SourcedValue(5e10, "test"), new SourcedValue(5e-6, "test")) }, par);
        Assert.Contains(hgx.CollectivesOf(0, 0), c => c.Crosses);
        Assert.True(hgx.Evaluate(512, 4096).Seconds.Comm > nvl72.Evaluate(512, 4096).Seconds.Comm);
    }

    [Fact]
    public void A_group_beyond_the_domain_on_a_GPU_without_a_scale_out_network_is_an_input_error()
    {
        var e = Assert.Throws<SolInputException>(() => Sol.Prepare("llama-3.1-70b", Sol.RoundGpu(domain: 8, scaleOut: false), new Parallelism(Tp: 16)));
        Assert.Contains("scaleOut", e.Message, StringComparison.Ordinal);
    }
}
