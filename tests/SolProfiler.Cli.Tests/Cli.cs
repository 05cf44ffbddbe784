using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SolProfiler.Cli.Tests;

/// <summary>What one <c>solprof</c> invocation returned and printed.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>Runs the CLI in process and reads its outputs.</summary>
internal static class Cli
{
    public static async Task<CliRun> Run(params string[] args)
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        var code = await CliApp.RunAsync(args, stdout, stderr);
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs with <c>--format json</c> appended, asserts exit 0 and an empty stderr, and parses stdout.</summary>
    public static async Task<JsonNode> Json(params string[] args)
    {
        var run = await Run([.. args, "--format", "json"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonNode.Parse(run.Stdout) ?? throw new InvalidOperationException("stdout is JSON null");
    }

    /// <summary>Like <see cref="Json"/> but the output must be an array; returns its objects.</summary>
    public static async Task<JsonObject[]> JsonArray(params string[] args)
    {
        var node = await Json(args);
        var array = Assert.IsType<JsonArray>(node);
        return array.Select(n => Assert.IsType<JsonObject>(n)).ToArray();
    }

    public static double Num(JsonNode? node, string path)
    {
        var current = node;
        foreach (var part in path.Split('.'))
        {
            current = Assert.IsType<JsonObject>(current)[part];
            Assert.True(current is not null, $"missing '{path}'");
        }

        var value = Assert.IsAssignableFrom<JsonValue>(current);
        Assert.Equal(JsonValueKind.Number, value.GetValueKind());
        return value.GetValue<double>();
    }

    public static string Str(JsonNode? node, string key)
    {
        var value = Assert.IsAssignableFrom<JsonValue>(Assert.IsType<JsonObject>(node)[key]);
        Assert.Equal(JsonValueKind.String, value.GetValueKind());
        return value.GetValue<string>();
    }

    public static bool Bool(JsonNode? node, string key)
    {
        var value = Assert.IsAssignableFrom<JsonValue>(Assert.IsType<JsonObject>(node)[key]);
        Assert.True(value.GetValueKind() is JsonValueKind.True or JsonValueKind.False, $"'{key}' must be true or false");
        return value.GetValue<bool>();
    }

    /// <summary>Every numeric leaf of a JSON tree, by dotted path.</summary>
    public static Dictionary<string, double> NumericLeaves(JsonNode? node, string prefix = "")
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o)
                {
                    foreach (var (k, v) in NumericLeaves(child, prefix.Length == 0 ? key : prefix + "." + key))
                    {
                        result[k] = v;
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    foreach (var (k, v) in NumericLeaves(a[i], $"{prefix}[{i}]"))
                    {
                        result[k] = v;
                    }
                }

                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number:
                result[prefix] = v.GetValue<double>();
                break;
        }

        return result;
    }

    /// <summary>Asserts |expected - actual| within a relative tolerance.</summary>
    public static void Close(double expected, double actual, double relative = 1e-12, string what = "")
    {
        Assert.True(
            Math.Abs(expected - actual) <= relative * Math.Abs(expected),
            $"{what}: expected {expected.ToString("R", CultureInfo.InvariantCulture)}, got {actual.ToString("R", CultureInfo.InvariantCulture)}");
    }

    /// <summary>The repository root: the first folder above the test binaries that holds SolProfiler.sln.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SolProfiler.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no SolProfiler.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>The Hugging Face config object of a catalog model, read from the repository's catalog file.</summary>
    public static JsonObject CatalogConfig(string modelId)
    {
        var path = Path.Combine(RepoRoot(), "src", "SolProfiler.Sol", "Catalog", "Models", modelId + ".json");
        var entry = Assert.IsType<JsonObject>(JsonNode.Parse(File.ReadAllText(path)));
        return (JsonObject)Assert.IsType<JsonObject>(entry["config"]).DeepClone();
    }
}

/// <summary>A fresh folder under the system temp folder for one test; deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "solprof-cli-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, string text)
    {
        var path = File(name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still open elsewhere leaves the folder for the OS to clean.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
