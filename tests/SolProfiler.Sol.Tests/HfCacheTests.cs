using System.Text.Json.Nodes;
using SolProfiler.Sol.Models;

namespace SolProfiler.Sol.Tests;

/// <summary>The Hugging Face hub cache lookup, in a temporary folder laid out as huggingface_hub writes it.</summary>
public sealed class HfCacheTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("solprof-hfhome-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private string Hub => Path.Combine(_home, "hub");

    /// <summary>models--ORG--NAME/snapshots/REVISION/config.json, the config.json a link into blobs/ as in the real cache.</summary>
    private string Put(string folder, string revision, int layers, bool main = false)
    {
        var repo = Path.Combine(Hub, folder);
        var blobs = Directory.CreateDirectory(Path.Combine(repo, "blobs")).FullName;
        var snapshot = Directory.CreateDirectory(Path.Combine(repo, "snapshots", revision)).FullName;
        var config = Config(layers);
        var blob = Path.Combine(blobs, revision + "-config");
        File.WriteAllText(blob, config.ToJsonString());
        var path = Path.Combine(snapshot, "config.json");
        File.CreateSymbolicLink(path, Path.Combine("..", "..", "blobs", revision + "-config"));
        if (main)
        {
            Directory.CreateDirectory(Path.Combine(repo, "refs"));
            File.WriteAllText(Path.Combine(repo, "refs", "main"), revision);
        }

        return path;
    }

    private static JsonObject Config(int layers)
    {
        using var stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream("catalog/Models/llama-3.1-8b.json")!;
        var config = (JsonObject)JsonNode.Parse(stream)!["config"]!.DeepClone();
        config["num_hidden_layers"] = layers;
        return config;
    }

    [Fact]
    public void The_hub_folder_follows_huggingface_hub_precedence()
    {
        string? Env(string name, params (string Key, string Value)[] vars) => vars.FirstOrDefault(v => v.Key == name).Value;
        Assert.Equal("/c/hub-cache", HfCache.HubFolder(n => Env(n, ("HF_HUB_CACHE", "/c/hub-cache"), ("HF_HOME", "/h"), ("HUGGINGFACE_HUB_CACHE", "/legacy"))));
        Assert.Equal("/legacy", HfCache.HubFolder(n => Env(n, ("HF_HOME", "/h"), ("HUGGINGFACE_HUB_CACHE", "/legacy"))));
        Assert.Equal(Path.Combine("/h", "hub"), HfCache.HubFolder(n => Env(n, ("HF_HOME", "/h"), ("XDG_CACHE_HOME", "/x"))));
        Assert.Equal(Path.Combine("/x", "huggingface", "hub"), HfCache.HubFolder(n => Env(n, ("XDG_CACHE_HOME", "/x"))));
        Assert.Equal(
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "huggingface", "hub"),
            HfCache.HubFolder(n => Env(n, ("HF_HOME", ""))));
    }

    [Fact]
    public void The_config_of_a_served_repository_is_found_and_read()
    {
        var expected = Put("models--meta-llama--Llama-3.1-8B-Instruct", "0e9e39f249a16976918f6564b8830bc894c89659", 32);
        var hub = HfCache.HubFolder(n => n == "HF_HOME" ? _home : null);

        var found = HfCache.FindConfig(hub, "meta-llama/Llama-3.1-8B-Instruct");
        Assert.Equal(expected, found);
        Assert.Equal(expected, HfCache.FindConfig(hub, "META-LLAMA/llama-3.1-8b-instruct")); // the hub's ids are case-insensitive
        Assert.Equal(expected, HfCache.FindConfig(hub, "Llama-3.1-8B-Instruct")); // a bare name, one organisation has it
        var model = HfConfigReader.ReadFile(found!);
        Assert.Equal(32, model.NumLayers);
        Assert.Equal(4096, model.HiddenSize);
    }

    [Fact]
    public void Refs_main_picks_the_snapshot_else_the_newest_one()
    {
        var old = Put("models--org--m", "aaaa", 20, main: true);
        var newer = Put("models--org--m", "bbbb", 24);
        File.SetLastWriteTimeUtc(newer, DateTime.UtcNow.AddDays(1));
        Assert.Equal(old, HfCache.FindConfig(Hub, "org/m"));

        File.Delete(Path.Combine(Hub, "models--org--m", "refs", "main"));
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddDays(-2));
        File.SetLastWriteTimeUtc(newer, DateTime.UtcNow);
        Assert.Equal(newer, HfCache.FindConfig(Hub, "org/m"));
    }

    [Theory]
    [InlineData("meta-llama/Llama-3.1-70B-Instruct")] // not downloaded
    [InlineData("tiny-llama")]
    [InlineData("Llama-3.1-8B")] // a bare name two organisations have
    [InlineData("../models--meta-llama--Llama-3.1-8B-Instruct")]
    [InlineData("a/b/c")]
    [InlineData("")]
    public void What_is_not_in_the_cache_is_not_found(string repo)
    {
        Put("models--meta-llama--Llama-3.1-8B-Instruct", "r1", 32);
        Put("models--meta-llama--Llama-3.1-8B", "r2", 32);
        Put("models--other--Llama-3.1-8B", "r3", 32);
        Assert.Null(HfCache.FindConfig(Hub, repo));
    }

    [Fact]
    public void An_absent_cache_or_a_repository_without_snapshots_finds_nothing()
    {
        Assert.Null(HfCache.FindConfig(Path.Combine(_home, "nowhere"), "meta-llama/Llama-3.1-8B-Instruct"));
        Directory.CreateDirectory(Path.Combine(Hub, "models--meta-llama--Llama-3.1-8B-Instruct", "blobs"));
        Assert.Null(HfCache.FindConfig(Hub, "meta-llama/Llama-3.1-8B-Instruct"));
    }
}
