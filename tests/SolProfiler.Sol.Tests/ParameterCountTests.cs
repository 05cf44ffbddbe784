using SolProfiler.Sol.Models;

namespace SolProfiler.Sol.Tests;

/// <summary>Parameter counts of the catalog models, against arithmetic from their config.json and the published totals.</summary>
public class ParameterCountTests
{
    [Fact]
    public void Llama_3_1_8B_counts_8_03_billion()
    {
        // per layer: q,o 4096x4096 each; k,v 4096x(8x128) each; SwiGLU 3x4096x14336; two RMSNorms of 4096
        const long layer = (2L * 4096 * 4096) + (2L * 4096 * 1024) + (3L * 4096 * 14336) + (2 * 4096);
        // 32 layers + untied embedding and LM head (128256 x 4096 each) + final norm
        const long expected = (32 * layer) + (2L * 128256 * 4096) + 4096;
        var counts = new ParameterCounts(Sol.Model("llama-3.1-8b"));
        Assert.Equal(expected, counts.Total);
        Assert.Equal(8.03e9, counts.Total, 0.005e9); // model card: 8.03 B
    }

    [Theory]
    [InlineData("llama-3.1-70b", 70.55e9, 0.01e9)]
    [InlineData("llama-3.3-70b", 70.55e9, 0.01e9)]
    [InlineData("llama-3.1-405b", 405.85e9, 0.01e9)]
    [InlineData("mixtral-8x7b", 46.7e9, 0.05e9)]
    [InlineData("deepseek-v3", 671e9, 0.5e9)]
    [InlineData("qwen3-235b-a22b", 235.1e9, 0.1e9)]
    [InlineData("qwen2.5-72b", 72.7e9, 0.05e9)]
    [InlineData("gpt-oss-120b", 116.8e9, 0.1e9)]
    [InlineData("gpt-oss-20b", 20.9e9, 0.1e9)]
    public void Catalog_models_match_their_published_totals(string id, double published, double tolerance)
    {
        Assert.Equal(published, new ParameterCounts(Sol.Model(id)).Total, tolerance);
    }

    [Fact]
    public void Llama_3_1_70B_total_follows_from_its_config()
    {
        // 80 layers x (q,o 8192x8192; k,v 8192x1024; 3x8192x28672; norms 2x8192) + 2 x 128256x8192 + 8192
        const long layer = (2L * 8192 * 8192) + (2L * 8192 * 1024) + (3L * 8192 * 28672) + (2 * 8192);
        Assert.Equal((80 * layer) + (2L * 128256 * 8192) + 8192, new ParameterCounts(Sol.Model("llama-3.1-70b")).Total);
    }

    [Fact]
    public void DeepSeek_V3_MLA_layer_holds_187_million_attention_parameters()
    {
        // q_a 7168x1536 + q_b 1536x(128x192) + kv_a 7168x(512+64) + kv_b 512x(128x(128+128)) + o (128x128)x7168
        const long linear = (7168L * 1536) + (1536L * 128 * 192) + (7168L * 576) + (512L * 128 * 256) + (128L * 128 * 7168);
        var counts = new ParameterCounts(Sol.Model("deepseek-v3"));
        Assert.Equal(linear, counts.AttentionLinear);
        Assert.Equal(187e6, counts.AttentionLinear, 1e6);
    }

    [Fact]
    public void DeepSeek_V3_activates_about_37_billion_per_token()
    {
        // 8 of 256 routed experts plus the shared one per MoE layer; published: 37 B activated
        // (37.6 B with the 0.93 B input embedding, which a decode step only gathers B rows of)
        var counts = new ParameterCounts(Sol.Model("deepseek-v3"));
        Assert.Equal(37e9, counts.ActiveExcludingEmbedding, 0.5e9);
        Assert.Equal(37.6e9, counts.ActiveExcludingEmbedding + counts.Embedding, 0.1e9);
    }

    [Fact]
    public void Mixtral_activates_two_of_eight_experts()
    {
        var counts = new ParameterCounts(Sol.Model("mixtral-8x7b"));
        // active = total - 6 idle experts per layer x 32 layers - input embedding
        var expected = counts.Total - (6L * 32 * 3 * 4096 * 14336) - (32000L * 4096);
        Assert.Equal(expected, counts.ActiveExcludingEmbedding);
        Assert.Equal(12.9e9, counts.ActiveExcludingEmbedding, 0.2e9); // published 12.9 B counts the input embedding (0.13 B) too
    }
}
