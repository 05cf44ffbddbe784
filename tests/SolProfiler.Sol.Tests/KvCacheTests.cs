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
    public void KV_is_read_once_across_the_attention_group_even_beyond_the_KV_heads()
    {
        // Llama-3.1-70B has 8 KV heads: TP 8 gives each GPU one head. At TP 16 the bound partitions the KV by batch
        // (Pope et al.): each GPU reads 1/16 of it; an engine copying each head to two ranks reads twice that.
        const int batch = 16;
        const double context = 4096;
        var tp1 = Sol.Prepare("llama-3.1-70b", "h200-sxm", tp: 1).Evaluate(batch, context);
        var tp8 = Sol.Prepare("llama-3.1-70b", "h200-sxm", tp: 8).Evaluate(batch, context);
        var tp16 = Sol.Prepare("llama-3.1-70b", "h200-sxm", tp: 16);
        var r16 = tp16.Evaluate(batch, context);
        Sol.Close(tp1.KvBytesPerGpu / 8, tp8.KvBytesPerGpu);
        Assert.Equal(tp8.KvBytesPerGpu, tp8.ReplicatedKvBytesPerGpu);
        Sol.Close(tp8.KvBytesPerGpu / 2, r16.KvBytesPerGpu);
        Assert.Equal(2, tp16.KvReplicationFactor);
        Sol.Close(tp8.KvBytesPerGpu, r16.ReplicatedKvBytesPerGpu);
        // Read B x L tokens plus write B new ones, all 80 layers: 16 x (4096 + 1) x 327,680 B on one GPU
        Assert.Equal(batch * (context + 1) * 327_680, tp1.KvBytesPerGpu);
    }

    [Fact]
    public void Multi_query_attention_at_TP_8_reads_an_eighth_of_the_single_head_per_GPU()
    {
        // Llama-3.1-70B made MQA (one KV head): per token 2 x 1 x 128 x 80 layers x 2 B = 40,960 B. TP 8, B 32, L 1000:
        // 32 x 1001 x 40,960 / 8 = 164.0 MB per GPU; a replicating engine reads all 1.312 GB on every GPU.
        var mqa = Sol.Model("llama-3.1-70b") with { Id = "llama-70b-mqa", NumKvHeads = 1 };
        var sol = SolModel.Prepare(new SolConfiguration(mqa, Sol.Gpu("h200-sxm"), new Parallelism(Tp: 8), new PrecisionChoice()));
        var r = sol.Evaluate(32, 1000);
        Assert.Equal(40_960, sol.KvBytesPerToken);
        Sol.Close(32 * 1001 * 40_960.0 / 8, r.KvBytesPerGpu);
        Assert.Equal(8, sol.KvReplicationFactor);
        Sol.Close(32 * 1001 * 40_960.0, r.ReplicatedKvBytesPerGpu);
    }

    [Fact]
    public void MLA_latent_is_read_once_across_TP_and_an_engine_replicating_it_pays_TP_times()
    {
        const int batch = 64;
        const double context = 2000;
        var perSequence = (context + 1) * 70_272.0; // read the whole latent, write one token (bf16 KV)
        var tp8 = Sol.Prepare("deepseek-v3", "h200-sxm", tp: 8, kv: Precision.Bf16);
        var dp8 = Sol.Prepare("deepseek-v3", "h200-sxm", tp: 8, attentionDp: 8, ep: 8, kv: Precision.Bf16);
        var t = tp8.Evaluate(batch, context);
        var d = dp8.Evaluate(batch, context);
        Sol.Close(batch * perSequence / 8, t.KvBytesPerGpu);           // the bound: each byte once across the 8 ranks
        Sol.Close(batch * perSequence, t.ReplicatedKvBytesPerGpu);     // engines copy the latent to every TP rank
        Assert.Equal(8, tp8.KvReplicationFactor);
        Assert.Equal(batch / 8 * perSequence, d.KvBytesPerGpu);        // each DP rank reads only its 8 sequences
        Assert.Equal(d.KvBytesPerGpu, d.ReplicatedKvBytesPerGpu);
        Assert.Equal(1, dp8.KvReplicationFactor);
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
