using SolProfiler.Sol.Models;

namespace SolProfiler.Sol.Tests;

/// <summary>The rule that turns what a server says it serves into a catalog model, on ids real servers publish.</summary>
public sealed class ServedModelMatcherTests
{
    [Theory]
    [InlineData("llama-3.1-70b", "llama-3.1-70b", "catalog id")]
    [InlineData("LLAMA-3.1-70B", "llama-3.1-70b", "catalog id")]
    [InlineData("deepseek-r1", "deepseek-v3", "catalog id")] // an alias
    [InlineData("meta-llama/Llama-3.1-70B-Instruct", "llama-3.1-70b", "Hugging Face id")] // vLLM's default model_name
    [InlineData("meta-llama/llama-3.1-70b-instruct", "llama-3.1-70b", "Hugging Face id")]
    [InlineData("meta-llama/Meta-Llama-3.1-8B-Instruct", "llama-3.1-8b", "Hugging Face id")]
    [InlineData("meta-llama/Llama-3.3-70B-Instruct", "llama-3.3-70b", "Hugging Face id")]
    [InlineData("deepseek-ai/DeepSeek-V3", "deepseek-v3", "Hugging Face id")]
    [InlineData("deepseek-ai/DeepSeek-R1-0528", "deepseek-v3", "Hugging Face id")]
    [InlineData("Qwen/Qwen3-235B-A22B", "qwen3-235b-a22b", "Hugging Face id")]
    [InlineData("Qwen/Qwen3-235B-A22B-Instruct-2507", "qwen3-235b-a22b", "Hugging Face id")]
    [InlineData("openai/gpt-oss-120b", "gpt-oss-120b", "Hugging Face id")]
    [InlineData("mistralai/Mixtral-8x7B-Instruct-v0.1", "mixtral-8x7b", "Hugging Face id")]
    [InlineData("RedHatAI/Meta-Llama-3.1-70B-Instruct-FP8", "llama-3.1-70b", "Hugging Face id")]
    [InlineData("Llama-3.1-70B-Instruct", "llama-3.1-70b", "Hugging Face name")] // --served-model-name without the org
    [InlineData("/models/Meta-Llama-3.1-70B-Instruct", "llama-3.1-70b", "Hugging Face name")] // vLLM --model /local/path
    [InlineData("myorg/Mixtral-8x7B-Instruct-v0.1", "mixtral-8x7b", "Hugging Face name")]
    [InlineData("someone/Llama-3.1-8B-Instruct-FP8-dynamic", "llama-3.1-8b", "name without variant suffixes")]
    [InlineData("llama-3.1-70b-instruct-awq", "llama-3.1-70b", "name without variant suffixes")]
    [InlineData("Qwen2.5-72B-Instruct-GPTQ-Int4", "qwen2.5-72b", "name without variant suffixes")]
    [InlineData("meta_llama_3.1_70b_instruct", "llama-3.1-70b", "name without variant suffixes")]
    public void A_served_id_names_its_catalog_model(string served, string expected, string rule)
    {
        var match = ModelCatalog.BuiltIn.MatchServed(served);
        Assert.NotNull(match);
        Assert.Equal(expected, match.CatalogId);
        Assert.Equal(rule, match.Rule);
    }

    [Theory]
    [InlineData("tiny-llama")] // llama.cpp --alias
    [InlineData("meta-llama/Llama-3.2-1B-Instruct")] // another size
    [InlineData("meta-llama/Llama-3.1-7B-Instruct")]
    [InlineData("Llama-3.1-70B-Instruct-abliterated")] // a fine-tune's name is not a variant suffix
    [InlineData("Qwen/Qwen3-235B")] // the active-parameter part is part of the name
    [InlineData("Qwen/Qwen3-30B-A3B")]
    [InlineData("deepseek-ai/DeepSeek-V2")]
    [InlineData("gpt-oss")]
    [InlineData("llama")]
    [InlineData("-instruct")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("/")]
    public void An_id_that_names_no_catalog_model_is_no_match(string served) =>
        Assert.Null(ModelCatalog.BuiltIn.MatchServed(served));

    [Fact]
    public void Every_catalog_model_lists_the_repository_its_config_is_from_and_no_id_names_two_models()
    {
        var catalog = ModelCatalog.BuiltIn;
        Assert.All(catalog.Ids, id => Assert.NotEmpty(catalog.HuggingFaceIds[id]));
        var all = catalog.HuggingFaceIds.SelectMany(kv => kv.Value.Select(h => (Id: kv.Key, Hf: h.ToLowerInvariant()))).ToArray();
        Assert.Equal(all.Length, all.Select(a => a.Hf).Distinct().Count());

        // Every listed id resolves back to its own model (no listed name is shadowed by another model's).
        Assert.All(all, a => Assert.Equal(a.Id, catalog.MatchServed(a.Hf)?.CatalogId));
    }

    [Theory]
    [InlineData("Meta-Llama-3.1-70B-Instruct-FP8", "llama-3.1-70b")]
    [InlineData("Llama-3.3-70B-Instruct-FP8-dynamic", "llama-3.3-70b")]
    [InlineData("DeepSeek-V3-Base", "deepseek-v3")]
    [InlineData("Mixtral-8x7B-Instruct-v0.1", "mixtral-8x7b-instruct-v0.1")] // a version is not stripped
    [InlineData("Qwen3-235B-A22B-Instruct-2507", "qwen3-235b-a22b-instruct-2507")] // nor a date
    public void Strip_removes_only_variant_suffixes(string name, string expected) =>
        Assert.Equal(expected, ServedModelMatcher.Strip(name));
}
