using System.Text.Json.Nodes;
using SolProfiler.Sol.Hardware;

namespace SolProfiler.Sol.Models;

/// <summary>
/// Models known by id: each embedded entry carries the architecture fields of its Hugging Face
/// <c>config.json</c> and is read by the same <see cref="HfConfigReader"/> as a user's file,
/// so a catalog id and a config.json path behave the same.
/// </summary>
public sealed class ModelCatalog
{
    private const string ResourcePrefix = "catalog/Models/";

    private readonly Dictionary<string, ModelArchitecture> _models = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> _huggingFaceIds = new(StringComparer.Ordinal);

    private static readonly Lazy<ModelCatalog> BuiltInCatalog = new(() => new ModelCatalog());

    private ModelCatalog()
    {
        var assembly = typeof(ModelCatalog).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var entry = GpuCatalog.ReadResource(assembly, name);
            var id = (string?)entry["id"] ?? throw new InvalidOperationException($"{name}: no id");
            if (string.IsNullOrWhiteSpace((string?)entry["source"]))
            {
                throw new InvalidOperationException($"{name}: every catalog model must name its source");
            }

            var config = entry["config"] as JsonObject ?? throw new InvalidOperationException($"{name}: no config");
            _models[id] = HfConfigReader.Read(config, id, "built-in " + name);
            foreach (var alias in entry["aliases"] as JsonArray ?? [])
            {
                _aliases[(string)alias!] = id;
            }

            // The repositories a server may be serving this architecture under (the first is the one the config is
            // from): what a served model id is matched against (ServedModelMatcher).
            var hfIds = (entry["huggingFaceIds"] as JsonArray ?? []).Select(n => (string?)n).OfType<string>().ToArray();
            _huggingFaceIds[id] = hfIds.Length > 0 && hfIds.All(h => h.Count(c => c == '/') == 1)
                ? hfIds
                : throw new InvalidOperationException($"{name}: every catalog model must list its Hugging Face ids (huggingFaceIds, each ORG/NAME)");
        }
    }

    public static ModelCatalog BuiltIn => BuiltInCatalog.Value;

    public IReadOnlyList<string> Ids => _models.Keys.Order(StringComparer.Ordinal).ToArray();

    public IReadOnlyDictionary<string, string> Aliases => _aliases;

    /// <summary>The Hugging Face repository ids (ORG/NAME) of each catalog id, from the catalog files' <c>huggingFaceIds</c>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> HuggingFaceIds => _huggingFaceIds;

    /// <summary>The catalog model a server's served model id names, by the rule of <see cref="ServedModelMatcher"/>; null when none (or more than one) does.</summary>
    public ServedModelMatch? MatchServed(string servedId) => ServedModelMatcher.Match(this, servedId);

    public ModelArchitecture Get(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var key = id.Trim().ToLowerInvariant();
        if (_aliases.TryGetValue(key, out var target))
        {
            key = target;
        }

        return _models.TryGetValue(key, out var model)
            ? model
            : throw new UnknownCatalogIdException("model", id, Ids.Concat(_aliases.Keys.Select(a => $"{a} (= {_aliases[a]})")).ToArray());
    }

    /// <summary>
    /// A catalog id, or a path to a Hugging Face config.json (or to the folder holding one).
    /// </summary>
    public ModelArchitecture Resolve(string idOrPath)
    {
        ArgumentNullException.ThrowIfNull(idOrPath);
        if (idOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || File.Exists(idOrPath))
        {
            return File.Exists(idOrPath)
                ? HfConfigReader.ReadFile(idOrPath)
                : throw new SolInputException($"model config file '{idOrPath}' does not exist");
        }

        if (Directory.Exists(idOrPath))
        {
            var file = Path.Combine(idOrPath, "config.json");
            return File.Exists(file) ? HfConfigReader.ReadFile(file) : throw new SolInputException($"folder '{idOrPath}' has no config.json");
        }

        return Get(idOrPath);
    }
}
