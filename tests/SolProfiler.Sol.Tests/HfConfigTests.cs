using System.Text.Json.Nodes;
using SolProfiler.Sol.Models;

namespace SolProfiler.Sol.Tests;

public sealed class HfConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("solprof-hf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string json, string name = "config.json")
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void A_config_json_file_reads_like_the_catalog_entry()
    {
        var catalog = Sol.Model("llama-3.1-70b");
        var path = Write(CatalogConfig("llama-3.1-70b").ToJsonString());
        var fromFile = ModelCatalog.BuiltIn.Resolve(path);
        Assert.Equal(new ParameterCounts(catalog).Total, new ParameterCounts(fromFile).Total);
        Assert.Equal(catalog.Layers, fromFile.Layers);
        Assert.Equal(catalog with { Id = fromFile.Id, Warnings = fromFile.Warnings }, fromFile with { Layers = catalog.Layers });
        Assert.Empty(fromFile.Warnings);
    }

    [Fact]
    public void The_folder_holding_config_json_also_resolves()
    {
        Write(CatalogConfig("mixtral-8x7b").ToJsonString());
        Assert.Equal(8, ModelCatalog.BuiltIn.Resolve(_dir).Moe!.RoutedExperts);
    }

    [Fact]
    public void A_missing_field_is_named()
    {
        var config = CatalogConfig("llama-3.1-8b");
        config.Remove("num_hidden_layers");
        var e = Assert.Throws<SolInputException>(() => ModelCatalog.BuiltIn.Resolve(Write(config.ToJsonString())));
        Assert.Contains("'num_hidden_layers'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrongly_typed_field_is_named()
    {
        var config = CatalogConfig("llama-3.1-8b");
        config["hidden_size"] = "big";
        var e = Assert.Throws<SolInputException>(() => ModelCatalog.BuiltIn.Resolve(Write(config.ToJsonString())));
        Assert.Contains("'hidden_size'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_json_is_reported_with_the_path()
    {
        var path = Write("{ \"hidden_size\": ");
        var e = Assert.Throws<SolInputException>(() => ModelCatalog.BuiltIn.Resolve(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_reported()
    {
        var e = Assert.Throws<SolInputException>(() => ModelCatalog.BuiltIn.Resolve(Path.Combine(_dir, "nope", "config.json")));
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_model_type_is_read_as_a_generic_decoder_with_a_warning()
    {
        var config = CatalogConfig("llama-3.1-8b");
        config["model_type"] = "granite";
        var m = ModelCatalog.BuiltIn.Resolve(Write(config.ToJsonString()));
        Assert.Contains(m.Warnings, w => w.Contains("granite", StringComparison.Ordinal));
        Assert.Equal(new ParameterCounts(Sol.Model("llama-3.1-8b")).Total, new ParameterCounts(m).Total);
    }

    [Fact]
    public void Gpt_oss_quantization_config_makes_only_experts_mxfp4()
    {
        var m = Sol.Model("gpt-oss-120b");
        Assert.Equal(Modeling.Precision.Bf16, m.DefaultWeights);
        Assert.Equal(Modeling.Precision.Mxfp4, m.DefaultExpertWeights);
        Assert.Equal(18, m.Layers.Count(l => l.SlidingWindow == 128));
    }

    [Fact]
    public void DeepSeek_reads_MLA_dense_prefix_and_fp8_weights()
    {
        var m = Sol.Model("deepseek-r1");
        Assert.Equal(AttentionKind.Mla, m.Attention);
        Assert.Equal(3, m.Layers.Count(l => !l.IsMoe));
        Assert.Equal(Modeling.Precision.Fp8, m.DefaultWeights);
        Assert.Equal(1, m.MtpLayers);
    }

    [Fact]
    public void Mistral_style_sliding_window_applies_to_every_layer()
    {
        var config = CatalogConfig("llama-3.1-8b");
        config["model_type"] = "mistral";
        config["sliding_window"] = 4096;
        var m = ModelCatalog.BuiltIn.Resolve(Write(config.ToJsonString()));
        Assert.All(m.Layers, l => Assert.Equal(4096, l.SlidingWindow));
    }

    [Fact]
    public void Multimodal_configs_use_their_text_config()
    {
        var root = new JsonObject { ["model_type"] = "llava", ["text_config"] = CatalogConfig("llama-3.1-8b") };
        var m = ModelCatalog.BuiltIn.Resolve(Write(root.ToJsonString()));
        Assert.Equal(32, m.NumLayers);
        Assert.Contains(m.Warnings, w => w.Contains("text_config", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"quant_method":"compressed-tensors","format":"float-quantized","config_groups":{"group_0":{"weights":{"num_bits":8,"type":"float","strategy":"channel"}}}}""", "Fp8")]
    [InlineData("""{"quant_method":"compressed-tensors","format":"pack-quantized","config_groups":{"group_0":{"weights":{"num_bits":4,"type":"int","group_size":128}}}}""", "Int4")]
    [InlineData("""{"quant_method":"compressed-tensors","format":"nvfp4-pack-quantized","config_groups":{"group_0":{"weights":{"num_bits":4,"type":"float","group_size":16}}}}""", "Nvfp4")]
    [InlineData("""{"quant_method":"awq","bits":4,"group_size":128}""", "Int4")]
    [InlineData("""{"quant_method":"modelopt","quant_algo":"NVFP4"}""", "Nvfp4")]
    [InlineData("""{"quant_method":"fp8","weight_block_size":[128,128]}""", "Fp8")]
    public void Quantization_config_sets_the_weight_format(string quantization, string expected)
    {
        var config = CatalogConfig("llama-3.1-8b");
        config["quantization_config"] = JsonNode.Parse(quantization);
        var m = ModelCatalog.BuiltIn.Resolve(Write(config.ToJsonString()));
        Assert.Equal(Enum.Parse<Modeling.Precision>(expected), m.DefaultWeights);
        Assert.Empty(m.Warnings);
    }

    [Fact]
    public void An_unknown_quantization_method_warns_and_keeps_the_dtype()
    {
        var config = CatalogConfig("llama-3.1-8b");
        config["quantization_config"] = JsonNode.Parse("""{"quant_method":"bitsandbytes"}""");
        var m = ModelCatalog.BuiltIn.Resolve(Write(config.ToJsonString()));
        Assert.Equal(Modeling.Precision.Bf16, m.DefaultWeights);
        Assert.Contains(m.Warnings, w => w.Contains("bitsandbytes", StringComparison.Ordinal));
    }

    private static JsonObject CatalogConfig(string id)
    {
        using var stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream($"catalog/Models/{id}.json")!;
        return (JsonObject)JsonNode.Parse(stream)!["config"]!.DeepClone();
    }
}
