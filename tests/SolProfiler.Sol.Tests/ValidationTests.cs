using SolProfiler.Sol.Modeling;
using SolProfiler.Sol.Models;

namespace SolProfiler.Sol.Tests;

public class ValidationTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-4)]
    public void Batch_must_be_positive(int batch)
    {
        var e = Assert.Throws<SolInputException>(() => Sol.Prepare("llama-3.1-8b", "h100-sxm").Evaluate(batch, 10));
        Assert.Contains($"batch {batch}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Context_must_not_be_negative()
    {
        var e = Assert.Throws<SolInputException>(() => Sol.Prepare("llama-3.1-8b", "h100-sxm").Evaluate(1, -1));
        Assert.Contains("context -1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TP_must_divide_the_attention_heads()
    {
        var e = Assert.Throws<SolInputException>(() => Sol.Prepare("llama-3.1-70b", "h100-sxm", tp: 3));
        Assert.Contains("64 attention heads", e.Message, StringComparison.Ordinal);
        Assert.Contains("TP 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TP_must_split_or_replicate_KV_heads_evenly()
    {
        // 48 query heads and 8 KV heads: TP 12 divides the former but neither divides nor is a multiple of the latter.
        var model = Sol.Model("llama-3.1-8b") with { NumHeads = 48, NumKvHeads = 8 };
        var config = new SolConfiguration(model, Sol.Gpu("h100-sxm"), new Parallelism(12), new PrecisionChoice());
        var e = Assert.Throws<SolInputException>(() => SolModel.Prepare(config));
        Assert.Contains("8 KV heads", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EP_must_divide_TP()
    {
        var e = Assert.Throws<SolInputException>(() => Sol.Prepare("mixtral-8x7b", "h100-sxm", tp: 8, ep: 3));
        Assert.Contains("EP 3 does not divide TP 8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EP_that_does_not_divide_the_experts_holds_whole_slots_with_redundant_copies()
    {
        // SGLang's 72-GPU DeepSeek decode: 256 experts over 72 ranks, 4 slots each (288, 32 redundant, as EPLB places
        // them), the same 4 per rank as at EP 64. Had the model spread 256 / 72 = 3.56 experts per rank, the resident
        // weights would be 58 MoE layers x 0.444 x 3 x 7168 x 2048 bytes at fp8 = 1.13 GB per GPU less than at EP 64;
        // with whole slots they differ only by the dense layers' and LM head's 72-way against 64-way split (< 0.1 GB).
        var at72 = Sol.Prepare("deepseek-v3", "h100-sxm", tp: 72, ep: 72, attentionDp: 72, weights: Precision.Fp8);
        var at64 = Sol.Prepare("deepseek-v3", "h100-sxm", tp: 64, ep: 64, attentionDp: 64, weights: Precision.Fp8);
        Assert.Contains(at72.Warnings, w => w.Contains("each rank holds 4 expert slots (288 in all, 32 redundant copies)", StringComparison.Ordinal));
        Assert.DoesNotContain(at64.Warnings, w => w.Contains("expert slots", StringComparison.Ordinal));

        var r72 = at72.Evaluate(72 * 64, 2000);
        var r64 = at64.Evaluate(64 * 64, 2000);
        Assert.InRange(r64.ResidentWeightBytesPerGpu - r72.ResidentWeightBytesPerGpu, 0, 0.1e9);
        Assert.True(r72.CommBytesPerGpu > 0 && r72.Fits, "the 72-GPU group evaluates, across the NICs");
    }

    [Fact]
    public void EP_needs_experts()
    {
        var e = Assert.Throws<SolInputException>(() => Sol.Prepare("llama-3.1-8b", "h100-sxm", tp: 2, ep: 2));
        Assert.Contains("dense model", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_precision_without_a_peak_on_the_GPU_is_refused()
    {
        var e = Assert.Throws<SolInputException>(() => Sol.Prepare("llama-3.1-8b", "h100-sxm", weights: Precision.Nvfp4));
        Assert.Contains("fp4", e.Message, StringComparison.Ordinal);
        Assert.Contains("h100-sxm", e.Message, StringComparison.Ordinal);
        var a100 = Assert.Throws<SolInputException>(() => Sol.Prepare("llama-3.1-8b", "a100-sxm-80gb", weights: Precision.Fp8));
        Assert.Contains("fp8", a100.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KV_precision_must_be_a_cache_format()
    {
        var e = Assert.Throws<SolInputException>(() => Sol.Prepare("llama-3.1-8b", "h100-sxm", kv: Precision.Int4));
        Assert.Contains("int4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepted_length_must_fit_the_draft()
    {
        var e = Assert.Throws<SolInputException>(() => Sol.Prepare("llama-3.1-8b", "h100-sxm", speculative: new SpeculativeDecoding(2, 3.5)));
        Assert.Contains("3.5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_ids_list_the_known_ones()
    {
        var e = Assert.Throws<UnknownCatalogIdException>(() => ModelCatalog.BuiltIn.Get("llama-9"));
        Assert.Contains("llama-3.1-70b", e.KnownIds);
        var g = Assert.Throws<UnknownCatalogIdException>(() => Hardware.GpuCatalog.BuiltIn.Get("h900"));
        Assert.Contains("h100-sxm", g.KnownIds);
        Assert.Contains("h900", g.Message, StringComparison.Ordinal);
    }
}
