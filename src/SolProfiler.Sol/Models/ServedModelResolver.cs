namespace SolProfiler.Sol.Models;

/// <summary>A served model id resolved to the architecture the SOL uses, and a sentence saying how.</summary>
public sealed record ServedModelResolution(ModelArchitecture Model, string From);

/// <summary>
/// Which model a server serves, from the id it gives (its metrics' model label, <c>GET /v1/models</c>, or what the
/// user passed to the server). The served checkpoint's own <c>config.json</c> wins where one is found: a local folder
/// (vLLM serves a path under its path) or the Hugging Face cache, because only it says how the checkpoint is
/// quantised (an <c>-FP8</c> re-upload of a catalog model ships FP8 weights, not the catalog's bf16). Else the
/// catalog model the id names (<see cref="ServedModelMatcher"/>). Used by the agent and by <c>sweep</c> alike.
/// </summary>
public static class ServedModelResolver
{
    /// <summary>The resolution, or null with the reasons in <paramref name="notes"/>.</summary>
    public static ServedModelResolution? Resolve(string served, string hubFolder, ModelCatalog catalog, List<string> notes)
    {
        ArgumentNullException.ThrowIfNull(served);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(notes);
        var shown = Printable(served);
        var match = catalog.MatchServed(served);
        var local = Path.IsPathFullyQualified(served) ? Path.Combine(served, "config.json") : null;
        foreach (var (path, what) in new[] { (local, "local folder"), (HfCache.FindConfig(hubFolder, served), "Hugging Face cache") })
        {
            if (path is null || !File.Exists(path))
            {
                continue;
            }

            try
            {
                var model = HfConfigReader.ReadFile(path);
                var also = match is null ? "" : $"; catalog model {match.CatalogId} by {match.Rule}, its precisions from this config";
                return new ServedModelResolution(model, $"'{shown}' read from {path} ({what}{also})");
            }
            catch (SolInputException e)
            {
                notes.Add($"{path}: {e.Message}");
            }
        }

        return match is null
            ? null
            : new ServedModelResolution(catalog.Get(match.CatalogId), $"'{shown}' is catalog model {match.CatalogId} (by {match.Rule})");
    }

    /// <summary>The id as a log line may show it: control characters replaced, at most 200 characters.</summary>
    public static string Printable(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var clean = new string([.. text.Select(c => char.IsControl(c) ? '?' : c)]);
        return clean.Length <= 200 ? clean : clean[..200] + "...";
    }
}
