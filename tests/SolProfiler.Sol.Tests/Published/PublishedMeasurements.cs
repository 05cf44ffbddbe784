using System.Globalization;
using System.Text;
using System.Text.Json;
using SolProfiler.Sol.Hardware;
using SolProfiler.Sol.Models;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Sol.Tests.Published;

/// <summary>Formats as the data file names them; null means the model's default (the checkpoint's formats).</summary>
internal sealed record PublishedPrecisions(string? Weights, string? ExpertWeights, string? Kv, string? Activations, string? Dispatch);

/// <summary>Speculative decoding the source ran: draft positions per step and the tokens the row credits per step.</summary>
internal sealed record PublishedSpeculation(int DraftTokens, double MeanAcceptedLength);

/// <summary>
/// The measured figures on the source's own terms. A source that reports a whole TP group's output rate gives
/// <see cref="TokensPerSecondTotal"/> (kept as published); the per-GPU figure is then derived from it.
/// </summary>
internal sealed record PublishedMeasured(double? TokensPerSecondPerGpu, double? TokensPerSecondTotal, double? TokensPerSecondPerUser);

/// <summary>One published decode measurement (tests/SolProfiler.Sol.Tests/Published/published-decode.json).</summary>
internal sealed record PublishedRow(
    string Id,
    string Category,
    string Model,
    string Gpu,
    int Tp,
    int Pp,
    int Ep,
    int AttentionDp,
    int? Batch,
    double Context,
    PublishedPrecisions? Precisions,
    PublishedSpeculation? Speculative,
    PublishedMeasured Measured,
    string Engine,
    string Source,
    string ThroughputDefinition,
    string Note)
{
    public int Gpus => Tp * Pp;

    /// <summary>Every row runs the GPU count its source ran (redundant expert slots included, as the model holds them).</summary>
    public string GpuLabel => $"{Gpus}× {Gpu}";

    public double? MeasuredPerGpu => Measured.TokensPerSecondPerGpu ?? (Measured.TokensPerSecondTotal / Gpus);

    public double? MeasuredPerUser => Measured.TokensPerSecondPerUser;
}

/// <summary>A row's SOL, or why it could not be evaluated (a GPU or model the catalog lacks, an input the model refuses).</summary>
internal sealed record PublishedEvaluation(PublishedRow Row, SolResult? Sol, string? Error)
{
    public double? GpuEfficiency => Sol is null || Row.MeasuredPerGpu is not { } m ? null : m / Sol.TokensPerSecondPerGpu;

    public double? UserEfficiency => Sol is null || Row.MeasuredPerUser is not { } m ? null : m / Sol.TokensPerSecondPerUser;
}

internal static class PublishedMeasurements
{
    public const string StartMarker = "<!-- published-efficiency:start -->";
    public const string EndMarker = "<!-- published-efficiency:end -->";

    /// <summary>The categories the data must cover, one row at least each (issue 14, item 6).</summary>
    public static readonly string[] Categories = ["dense", "moe", "mla", "wide-ep", "multi-node"];

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    private static readonly Lazy<IReadOnlyList<PublishedRow>> LoadedRows = new(Load);

    public static IReadOnlyList<PublishedRow> Rows => LoadedRows.Value;

    public static PublishedRow Row(string id) => Rows.Single(r => r.Id == id);

    private static PublishedRow[] Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Published", "published-decode.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return doc.RootElement.GetProperty("rows").Deserialize<PublishedRow[]>(JsonOptions)
            ?? throw new InvalidDataException($"{path}: no rows");
    }

    /// <summary>
    /// The SOL at the row's operating point. A row without a batch (the source states no concurrency: an offline run
    /// takes as many sequences as the KV cache holds) gets the best SOL over the batches that fit in HBM, so that it
    /// bounds whatever batch the engine ran.
    /// </summary>
    public static PublishedEvaluation Evaluate(PublishedRow row)
    {
        if (!GpuCatalog.BuiltIn.TryGet(row.Gpu, out var gpu) || gpu is null)
        {
            return new PublishedEvaluation(row, null, $"GPU '{row.Gpu}' is not in the GPU catalog");
        }

        try
        {
            var model = ModelCatalog.BuiltIn.Get(row.Model);
            var p = row.Precisions;
            var precisions = new PrecisionChoice(
                PrecisionRoles.ParseOptional(p?.Weights, PrecisionRole.Weights),
                PrecisionRoles.ParseOptional(p?.ExpertWeights, PrecisionRole.ExpertWeights),
                PrecisionRoles.ParseOptional(p?.Kv, PrecisionRole.Kv),
                PrecisionRoles.ParseOptional(p?.Activations, PrecisionRole.Activations),
                PrecisionRoles.ParseOptional(p?.Dispatch, PrecisionRole.Dispatch));
            var spec = row.Speculative is { } s ? new SpeculativeDecoding(s.DraftTokens, s.MeanAcceptedLength) : null;
            var sol = SolModel.Prepare(new SolConfiguration(model, gpu, new Parallelism(row.Tp, row.Pp, row.Ep, row.AttentionDp), precisions, spec));
            return new PublishedEvaluation(row, row.Batch is { } b ? sol.Evaluate(b, row.Context) : BestThatFits(sol, row), null);
        }
        catch (SolInputException e)
        {
            return new PublishedEvaluation(row, null, e.Message);
        }
    }

    private static SolResult BestThatFits(PreparedSol sol, PublishedRow row)
    {
        var most = sol.Evaluate(1, row.Context).MaxBatchThatFits ?? 0;
        if (most < 1)
        {
            throw new SolInputException($"not one sequence of {row.Context} tokens fits beside the weights");
        }

        // Powers of two and the largest fitting batch: the SOL's tokens/s/GPU rises with the batch up to the compute
        // roof, but a batch at a schedule or layout switch can beat its neighbours, so every candidate is tried.
        var largest = (int)Math.Min(most, int.MaxValue);
        var candidates = Enumerable.Range(0, 31).Select(i => 1 << i).TakeWhile(b => b < largest).Append(largest);
        return candidates.Select(b => sol.Evaluate(b, row.Context)).MaxBy(r => r.TokensPerSecondPerGpu)!;
    }

    /// <summary>The README table: one line per row, measured beside the SOL of the same configuration.</summary>
    public static string RenderTable(IEnumerable<PublishedEvaluation> evaluations)
    {
        var all = evaluations.ToList();
        var sb = new StringBuilder();
        sb.Append("| row | engine | GPUs | configuration | measured | SOL | efficiency | source |\n");
        sb.Append("|---|---|---|---|---:|---:|---:|---|\n");
        foreach (var e in all)
        {
            var r = e.Row;
            var perUser = r.MeasuredPerGpu is null;
            var measured = perUser ? r.MeasuredPerUser : r.MeasuredPerGpu;
            var unit = perUser ? "tok/s/user" : "tok/s/GPU";
            string sol, efficiency;
            if (e.Sol is { } s)
            {
                sol = $"{Number(perUser ? s.TokensPerSecondPerUser : s.TokensPerSecondPerGpu)} {unit}";
                efficiency = ((perUser ? e.UserEfficiency : e.GpuEfficiency) ?? double.NaN).ToString("0.00", CultureInfo.InvariantCulture);
            }
            else
            {
                sol = $"not evaluated: {e.Error}";
                efficiency = "n/a";
            }

            sb.Append(CultureInfo.InvariantCulture, $"| `{r.Id}` | {r.Engine} | {r.GpuLabel} | {Configuration(e)} | {Number(measured ?? double.NaN)} {unit} | {Cell(sol)} | {efficiency} | {SourceLink(r.Source)} |\n");
        }

        // The summary a reader looks for first, computed like the rows so that it cannot drift from them.
        var efficiencies = all.Select(e => e.Row.MeasuredPerGpu is null ? e.UserEfficiency : e.GpuEfficiency).OfType<double>().Order().ToArray();
        if (efficiencies.Length > 0)
        {
            var n = efficiencies.Length;
            var median = n % 2 == 1 ? efficiencies[n / 2] : (efficiencies[(n / 2) - 1] + efficiencies[n / 2]) / 2;
            sb.Append(CultureInfo.InvariantCulture, $"\n{n} of {all.Count} rows evaluated; efficiency {efficiencies[0]:0.00} to {efficiencies[^1]:0.00}, median {median:0.00}.\n");
        }

        return sb.ToString();
    }

    private static string Configuration(PublishedEvaluation e)
    {
        var r = e.Row;
        var parts = new List<string> { $"TP {r.Tp}" };
        if (r.Pp > 1)
        {
            parts.Add($"PP {r.Pp}");
        }

        if (r.Ep > 1)
        {
            parts.Add($"EP {r.Ep}");
        }

        if (r.AttentionDp > 1)
        {
            parts.Add($"attention-DP {r.AttentionDp}");
        }

        var batch = r.Batch is { } b
            ? $"batch {b.ToString("#,0", CultureInfo.InvariantCulture)}"
            : e.Sol is { } s ? $"batch not stated (SOL at {s.Batch.ToString("#,0", CultureInfo.InvariantCulture)}, best that fits)" : "batch not stated";
        var p = r.Precisions;
        var formats = new[] { (p?.Weights, "weights"), (p?.ExpertWeights, "experts"), (p?.Kv, "KV"), (p?.Activations, "activations") }
            .Where(f => f.Item1 is not null)
            .Select(f => $"{f.Item1} {f.Item2}");
        var spec = r.Speculative is { } sp
            ? string.Create(CultureInfo.InvariantCulture, $", speculative: {sp.DraftTokens} draft, {sp.MeanAcceptedLength:0.#} tokens/step credited")
            : string.Empty;
        return $"{string.Join(" / ", parts)}, {batch}, context {Number(r.Context)}, {string.Join(", ", formats)}{spec}";
    }

    private static string Number(double v) => v switch
    {
        double.NaN => "n/a",
        >= 100 => v.ToString("#,0", CultureInfo.InvariantCulture),
        _ => v.ToString("0.0", CultureInfo.InvariantCulture),
    };

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    /// <summary>A markdown link for the source's first URL, labelled by repository and file (GitHub) or host and path.</summary>
    private static string SourceLink(string source)
    {
        // The first word is the URL; a source may go on to name a second one after a semicolon.
        var url = source.Split(' ', 2)[0].TrimEnd(';', ',');
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return Cell(source);
        }

        var segments = uri.AbsolutePath.Trim('/').Split('/');
        var label = uri.Host == "github.com" && segments.Length >= 5
            ? $"{segments[1]} {segments[^1]}"
            : $"{uri.Host}{uri.AbsolutePath.TrimEnd('/')}";
        return $"[{label}]({url})";
    }

    /// <summary>The README with its published-efficiency section replaced by <paramref name="table"/>.</summary>
    public static string ReplaceSection(string readme, string table)
    {
        var start = readme.IndexOf(StartMarker, StringComparison.Ordinal);
        var end = readme.IndexOf(EndMarker, StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new InvalidDataException($"README.md lacks the markers {StartMarker} ... {EndMarker}");
        }

        var head = readme[..(start + StartMarker.Length)];
        return $"{head}\n{table}{readme[end..]}";
    }

    /// <summary>The repository's README.md, found by walking up from the test binaries to the solution file.</summary>
    public static string ReadmePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SolProfiler.sln")))
            {
                return Path.Combine(dir.FullName, "README.md");
            }
        }

        throw new FileNotFoundException($"no SolProfiler.sln above {AppContext.BaseDirectory}");
    }
}
