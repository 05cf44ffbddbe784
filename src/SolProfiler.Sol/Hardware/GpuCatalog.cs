using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SolProfiler.Sol.Hardware;

/// <summary>
/// The GPUs the model knows: the embedded catalog (one JSON file per GPU, every number sourced),
/// optionally extended or overridden by user files. Immutable; <see cref="WithOverrides"/> returns a new catalog.
/// </summary>
public sealed class GpuCatalog
{
    private const string ResourcePrefix = "catalog/Gpus/";

    private readonly IReadOnlyDictionary<string, GpuSpec> _gpus;
    private readonly IReadOnlyDictionary<string, JsonObject> _sources;

    private GpuCatalog(Dictionary<string, GpuSpec> gpus, Dictionary<string, JsonObject> sources)
    {
        _gpus = gpus;
        _sources = sources;
    }

    private static readonly Lazy<GpuCatalog> BuiltInCatalog = new(LoadEmbedded);

    /// <summary>The catalog shipped in the assembly.</summary>
    public static GpuCatalog BuiltIn => BuiltInCatalog.Value;

    public IReadOnlyList<string> Ids => _gpus.Keys.Order(StringComparer.Ordinal).ToArray();

    public IEnumerable<GpuSpec> All => Ids.Select(id => _gpus[id]);

    public GpuSpec Get(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _gpus.TryGetValue(id.Trim().ToLowerInvariant(), out var gpu)
            ? gpu
            : throw new UnknownCatalogIdException("GPU", id, Ids);
    }

    public bool TryGet(string id, out GpuSpec? gpu) => _gpus.TryGetValue(id.Trim().ToLowerInvariant(), out gpu);

    /// <summary>The catalog GPU whose device-name patterns match the name NVML or DCGM report, if exactly one does.</summary>
    public GpuSpec? DetectByDeviceName(string deviceName)
    {
        var matches = All.Where(g => g.DeviceNamePatterns.Any(p => Regex.IsMatch(deviceName, p, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))).ToList();
        return matches.Count == 1 ? matches[0] : null;
    }

    /// <summary>
    /// Adds or overrides GPUs from a user document: a single GPU object, an array of them, or <c>{"gpus": [...]}</c>.
    /// An entry whose id is already known only needs the keys it changes; a new id needs every key.
    /// </summary>
    public GpuCatalog WithOverrides(JsonNode document, string origin)
    {
        ArgumentNullException.ThrowIfNull(document);
        var entries = document switch
        {
            JsonObject o when o["gpus"] is JsonArray a => a,
            JsonObject o when o["gpus"] is not null => throw new SolInputException($"{origin}: 'gpus' must be an array of GPU objects"),
            JsonObject o => new JsonArray(o.DeepClone()),
            JsonArray a => a,
            _ => throw new SolInputException($"{origin}: expected a GPU object, an array of them, or {{\"gpus\": [...]}}"),
        };

        var gpus = new Dictionary<string, GpuSpec>(_gpus);
        var sources = new Dictionary<string, JsonObject>(_sources);
        var index = 0;
        foreach (var entry in entries)
        {
            if (entry is not JsonObject user)
            {
                throw new SolInputException($"{origin}: entry {index} is not a JSON object");
            }

            var id = GpuSpecReader.RequiredString(user, "id", origin, $"entry {index}").Trim().ToLowerInvariant();
            var merged = sources.TryGetValue(id, out var existing) ? Merge(existing, user) : (JsonObject)user.DeepClone();
            merged["id"] = id;
            gpus[id] = GpuSpecReader.Read(merged, origin, requireSources: false);
            sources[id] = merged;
            index++;
        }

        return new GpuCatalog(gpus, sources);
    }

    /// <summary>Reads a JSON user file (YAML is converted to JSON by the front end before it reaches here).</summary>
    public GpuCatalog WithOverridesFromJsonFile(string path)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new SolInputException($"{path}: not valid JSON ({e.Message})", e);
        }
        catch (IOException e)
        {
            throw new SolInputException($"{path}: cannot read ({e.Message})", e);
        }

        return WithOverrides(node ?? throw new SolInputException($"{path}: empty document"), path);
    }

    private static JsonObject Merge(JsonObject baseObject, JsonObject overlay)
    {
        var result = (JsonObject)baseObject.DeepClone();
        foreach (var (key, value) in overlay)
        {
            if (value is JsonObject child && result[key] is JsonObject baseChild && child["value"] is null)
            {
                result[key] = Merge(baseChild, child);
            }
            else
            {
                result[key] = value?.DeepClone();
            }
        }

        return result;
    }

    private static GpuCatalog LoadEmbedded()
    {
        var assembly = typeof(GpuCatalog).Assembly;
        var gpus = new Dictionary<string, GpuSpec>(StringComparer.Ordinal);
        var sources = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var obj = ReadResource(assembly, name);
            var spec = GpuSpecReader.Read(obj, "built-in " + name, requireSources: true);
            var fileId = Path.GetFileNameWithoutExtension(name);
            if (!string.Equals(spec.Id, fileId, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"catalog file {name} holds id '{spec.Id}'; the file must be named after its id");
            }

            gpus[spec.Id] = spec;
            sources[spec.Id] = obj;
        }

        return new GpuCatalog(gpus, sources);
    }

    internal static JsonObject ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"missing resource {name}");
        return JsonNode.Parse(stream) as JsonObject ?? throw new InvalidOperationException($"resource {name} is not a JSON object");
    }
}
