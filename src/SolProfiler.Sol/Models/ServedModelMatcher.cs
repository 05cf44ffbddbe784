namespace SolProfiler.Sol.Models;

/// <summary>A served model id matched to a catalog model: which one, and by which rule of <see cref="ServedModelMatcher"/>.</summary>
public sealed record ServedModelMatch(string CatalogId, string Rule);

/// <summary>
/// Finds the catalog model an inference server says it serves (vLLM's <c>model_name</c> label, an id of
/// <c>GET /v1/models</c>). Servers name a model by its Hugging Face repository (<c>meta-llama/Llama-3.1-70B-Instruct</c>),
/// a re-upload of it (<c>RedHatAI/Meta-Llama-3.1-70B-Instruct-FP8</c>), a local path ending in the repository name, or
/// whatever <c>--served-model-name</c> said. The rules, in order, all case-insensitive; the first that names exactly
/// one catalog model wins:
/// <list type="number">
/// <item>a catalog id or alias (<c>llama-3.1-70b</c>);</item>
/// <item>one of the catalog's <c>huggingFaceIds</c> (<c>meta-llama/Llama-3.1-70B-Instruct</c>);</item>
/// <item>the name after the last <c>/</c> is the name of one of them (another organisation's copy, or a local path);</item>
/// <item>that name without variant suffixes (<c>-Instruct</c>, <c>-FP8</c>, <c>-AWQ</c>, ... see <see cref="VariantSuffixes"/>)
/// and a leading <c>Meta-</c> of Llama is a catalog id or alias, or a listed name stripped alike.</item>
/// </list>
/// Nothing else is guessed: a suffix that may change the architecture (a size, a version, a date, a fine-tune's name)
/// is never removed, so <c>Llama-3.2-1B-Instruct</c> or <c>tiny-llama</c> name no catalog model, and the user is told to
/// say <c>--model</c>. Two catalog models for one id is no match either.
/// </summary>
public static class ServedModelMatcher
{
    /// <summary>Suffixes that name a variant of the same architecture: chat tuning, a quantisation, a checkpoint format.</summary>
    public static IReadOnlyList<string> VariantSuffixes { get; } =
    [
        "-instruct", "-chat", "-it", "-base", "-hf", "-dynamic", "-fp8", "-fp4", "-nvfp4", "-mxfp4", "-awq", "-gptq",
        "-int4", "-int8", "-w8a8", "-w4a16", "-w4a8", "-bf16", "-fp16",
    ];

    public static ServedModelMatch? Match(ModelCatalog catalog, string servedId)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(servedId);
        var id = servedId.Trim();
        if (id.Length == 0)
        {
            return null;
        }

        var name = Name(id);
        var stripped = Strip(name);
        var rules = new (string Rule, Func<string, IEnumerable<string>> Keys, string Key)[]
        {
            ("catalog id", CatalogKeys, id),
            ("Hugging Face id", c => catalog.HuggingFaceIds[c], id),
            ("Hugging Face name", c => catalog.HuggingFaceIds[c].Select(Name), name),
            ("name without variant suffixes", c => CatalogKeys(c).Concat(catalog.HuggingFaceIds[c].Select(Name)).Select(Strip), stripped),
        };
        foreach (var (rule, keys, key) in rules)
        {
            var found = catalog.Ids.Where(c => keys(c).Any(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase))).ToArray();
            if (found.Length == 1)
            {
                return new ServedModelMatch(found[0], rule);
            }

            if (found.Length > 1)
            {
                // Ambiguous under this rule: a looser rule would only be more ambiguous.
                return null;
            }
        }

        return null;

        IEnumerable<string> CatalogKeys(string catalogId) =>
            catalog.Aliases.Where(a => a.Value == catalogId).Select(a => a.Key).Prepend(catalogId);
    }

    /// <summary>What follows the last <c>/</c> (the organisation or the folders of a local path dropped).</summary>
    public static string Name(string id) => id.TrimEnd('/')[(id.TrimEnd('/').LastIndexOf('/') + 1)..];

    /// <summary>The name in lower case, <c>_</c> and spaces as <c>-</c>, without variant suffixes and a leading <c>meta-</c> of Llama.</summary>
    public static string Strip(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var s = name.Trim().ToLowerInvariant().Replace('_', '-').Replace(' ', '-');
        if (s.StartsWith("meta-llama-", StringComparison.Ordinal))
        {
            s = s["meta-".Length..];
        }

        for (var again = true; again;)
        {
            again = false;
            foreach (var suffix in VariantSuffixes)
            {
                if (s.Length > suffix.Length && s.EndsWith(suffix, StringComparison.Ordinal))
                {
                    s = s[..^suffix.Length];
                    again = true;
                }
            }
        }

        return s;
    }
}
