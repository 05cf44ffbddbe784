using System.Text.Json.Nodes;
using SolProfiler.Sol.Modeling;
using SolProfiler.Sol.Models;

namespace SolProfiler.Sol.Tests;

/// <summary>Which model a served id means: the checkpoint's own config.json first (it says how it is quantised), else the catalog.</summary>
public sealed class ServedModelResolverTests : IDisposable
{
    private readonly string _hub = Directory.CreateTempSubdirectory("solprof-hub-").FullName;

    public void Dispose() => Directory.Delete(_hub, recursive: true);

    private void PutFp8Checkpoint(string org, string name)
    {
        using var stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream("catalog/Models/llama-3.1-8b.json")!;
        var config = (JsonObject)JsonNode.Parse(stream)!["config"]!.DeepClone();
        config["quantization_config"] = new JsonObject { ["quant_method"] = "fp8" };
        var snapshot = Directory.CreateDirectory(Path.Combine(_hub, $"models--{org}--{name}", "snapshots", "abc")).FullName;
        File.WriteAllText(Path.Combine(snapshot, "config.json"), config.ToJsonString());
    }

    [Fact]
    public void A_catalog_id_or_hugging_face_id_without_a_cached_config_is_the_catalog_model_at_its_own_precision()
    {
        var notes = new List<string>();
        var found = ServedModelResolver.Resolve("meta-llama/Llama-3.1-8B-Instruct", _hub, ModelCatalog.BuiltIn, notes);

        Assert.NotNull(found);
        Assert.Equal("'meta-llama/Llama-3.1-8B-Instruct' is catalog model llama-3.1-8b (by Hugging Face id)", found.From);
        Assert.Equal(Precision.Bf16, found.Model.DefaultWeights);
        Assert.Empty(notes);
    }

    [Fact]
    public void An_fp8_reupload_in_the_cache_gives_fp8_weights_not_the_catalogs_bf16()
    {
        PutFp8Checkpoint("RedHatAI", "Meta-Llama-3.1-8B-Instruct-FP8");

        var found = ServedModelResolver.Resolve("RedHatAI/Meta-Llama-3.1-8B-Instruct-FP8", _hub, ModelCatalog.BuiltIn, []);

        Assert.NotNull(found);
        Assert.Equal(Precision.Fp8, found.Model.DefaultWeights);
        Assert.True(
            found.From.Contains("(Hugging Face cache; catalog model llama-3.1-8b by ", StringComparison.Ordinal) &&
            found.From.EndsWith(", its precisions from this config)", StringComparison.Ordinal),
            found.From);
    }

    [Fact]
    public void An_id_neither_the_catalog_nor_the_cache_knows_is_no_model()
    {
        Assert.Null(ServedModelResolver.Resolve("tiny-llama", _hub, ModelCatalog.BuiltIn, []));
    }
}
