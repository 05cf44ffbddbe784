using SolProfiler.Sol;
using SolProfiler.Sol.Models;

namespace SolProfiler.Cli.Sweep;

/// <summary>
/// The model the sweep's SOL is for: <c>--sol-model</c> when given, else what the served model id names, as the
/// agent finds it (<see cref="ServedModelResolver"/>: the checkpoint's config.json in the Hugging Face cache, else the
/// catalog model of that id or Hugging Face id).
/// </summary>
internal static class SweepModel
{
    /// <summary>How the model was named (<paramref name="Id"/>, kept in the sweep result) and found (<paramref name="From"/>).</summary>
    public sealed record Naming(string Id, string From);

    public static (ModelArchitecture Model, Naming Name) Resolve(SweepSettings settings)
    {
        if (settings.SolModel is { } given)
        {
            return (ModelCatalog.BuiltIn.Resolve(given), new Naming(given, given));
        }

        var hub = HfCache.HubFolder(Environment.GetEnvironmentVariable);
        var notes = new List<string>();
        if (ServedModelResolver.Resolve(settings.ServedModel, hub, ModelCatalog.BuiltIn, notes) is not { } found)
        {
            throw new SolInputException(
                $"--model '{ServedModelResolver.Printable(settings.ServedModel)}' names no catalog model (by id, Hugging Face id or name) " +
                $"and has no config.json in the Hugging Face cache {hub}" + (notes.Count > 0 ? " (" + string.Join("; ", notes) + ")" : "") +
                ": give --sol-model ID|path/to/config.json");
        }

        var id = ModelCatalog.BuiltIn.MatchServed(settings.ServedModel)?.CatalogId ?? settings.ServedModel;
        return (found.Model, new Naming(id, found.From));
    }
}
