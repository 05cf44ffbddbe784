using SolProfiler.Sol.Modeling;

namespace SolProfiler.Sol.Tests;

public class KvCacheTests
{
    [Fact]
    public void Llama_3_1_70B_bf16_stores_327680_bytes_per_token()
    {
        // K and V x 8 KV heads x head_dim 128 x 80 layers x 2 bytes
        var sol = Sol.Prepare("llama-3.1-70b", "h100-sxm", tp: 8);
        Assert.Equal(2.0 * 8 * 128 * 80 * 2, sol.KvBytesPerToken);
        Assert.Equal(327_680, sol.KvBytesPerToken);
    }

    [Fact]
    public void DeepSeek_V3_MLA_bf16_stores_70272_bytes_per_token()
    {
        // (kv_lora_rank 512 + qk_rope_head_dim 64) x 61 layers x 2 bytes
        var sol = Sol.Prepare("deepseek-v3", "h200-sxm", tp: 8, kv: Precision.Bf16);
        Assert.Equal((512 + 64) * 61 * 2.0, sol.KvBytesPerToken);
        Assert.Equal(70_272, sol.KvBytesPerToken);
    }

    [Fact]
    public void Fp8_KV_halves_the_bytes()
    {
        var bf16 = Sol.Prepare("llama-3.1-8b", "h100-sxm", kv: Precision.Bf16);
        var fp8 = Sol.Prepare("llama-3.1-8b", "h100-sxm", kv: Precision.Fp8);
        Assert.Equal(bf16.KvBytesPerToken / 2, fp8.KvBytesPerToken);
    }

    [Fact]
    public void KV_splits_over_TP_up_to_the_KV_heads_then_is_replicated()
    {
        // Llama-3.1-70B has 8 KV heads: TP 8 gives each GPU one head; TP 16 still needs one whole head per GPU.
        const int batch = 16;
        const double context = 4096;
        var tp1 = Sol.Prepare("llama-3.1-70b", "h200-sxm", tp: 1).Evaluate(batch, context);
        var tp8 = Sol.Prepare("llama-3.1-70b", "h200-sxm", tp: 8).Evaluate(batch, context);
        var tp16 = Sol.Prepare("llama-3.1-70b", "h200-sxm", tp: 16).Evaluate(batch, context);
        Sol.Close(tp1.KvBytesPerGpu / 8, tp8.KvBytesPerGpu);
        Assert.Equal(tp8.KvBytesPerGpu, tp16.KvBytesPerGpu);
        // Read B x L tokens plus write B new ones, all 80 layers: 16 x (4096 + 1) x 327,680 B on one GPU
        Assert.Equal(batch * (context + 1) * 327_680, tp1.KvBytesPerGpu);
    }

    [Fact]
    public void MLA_latent_is_replicated_across_TP_unless_attention_is_data_parallel()
    {
        const int batch = 64;
        const double context = 2000;
        var perSequence = (context + 1) * 70_272.0; // read the whole latent, write one token (bf16 KV)
        var tp8 = Sol.Prepare("deepseek-v3", "h200-sxm", tp: 8, kv: Precision.Bf16).Evaluate(batch, context);
        var dp8 = Sol.Prepare("deepseek-v3", "h200-sxm", tp: 8, attentionDp: 8, ep: 8, kv: Precision.Bf16).Evaluate(batch, context);
        Assert.Equal(batch * perSequence, tp8.KvBytesPerGpu);          // every TP rank reads every sequence's latent
        Assert.Equal(batch / 8 * perSequence, dp8.KvBytesPerGpu);      // each DP rank reads only its 8 sequences
    }

    [Fact]
    public void Sliding_window_layers_read_at_most_the_window()
    {
        // gpt-oss-120b: 36 layers alternate sliding (window 128) and full; 8 KV heads x 64 dims x 2 (K,V) x 2 bytes = 2,048 B per layer-token
        const double perLayerToken = 2 * 8 * 64 * 2;
        const double context = 100_000;
        var r = Sol.Prepare("gpt-oss-120b", "h100-sxm").Evaluate(1, context);
        var expected = (18 * perLayerToken * context) + (18 * perLayerToken * 128) + (36 * perLayerToken); // reads + one written token
        Assert.Equal(expected, r.KvBytesPerGpu);
        Assert.Equal(36 * perLayerToken, r.KvBytesPerToken);
    }
}
