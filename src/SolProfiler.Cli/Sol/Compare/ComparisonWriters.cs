using System.Text.Json;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Cli.Sol.Compare;

/// <summary>The JSON and CSV forms of <c>solprof sol --compare</c>.</summary>
public static class ComparisonWriters
{
    public const string JsonKind = "solprof-sol-compare";

    private static readonly string[] CsvHeader =
    [
        "kind", "label", "batch", "contextTokens", "tokensPerSecondPerUser", "tokensPerSecondPerGpu",
        "solTokensPerSecondPerGpuAtSameInteractivity", "paretoGapRatio", "efficiency", "fits", "note",
    ];

    /// <summary>
    /// One object: the sweep it read, what differs from the sweep's configuration, the frontier (each point the
    /// <c>sol --format json</c> object) and one entry per level with the SOL at its operating point.
    /// </summary>
    public static void WriteJson(TextWriter output, SweepComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(comparison);
        var prepared = comparison.Frontier.Prepared;
        var document = new
        {
            kind = JsonKind,
            version = 1,
            sweep = comparison.Sweep.Path,
            differences = comparison.Differences,
            frontier = comparison.Frontier.Results.Select(r => SolResultRecord.From(prepared, r)).ToArray(),
            levels = comparison.Levels.Select(l => new
            {
                concurrency = l.Measured.Concurrency,
                completed = l.Measured.Completed,
                errors = l.Measured.Errors,
                batch = l.Measured.Batch,
                contextTokens = l.Measured.ContextTokens,
                tokensPerSecondPerUser = l.Measured.TokensPerSecondPerUser,
                tokensPerSecondPerGpu = l.Measured.TokensPerSecondPerGpu,
                measuredStepSeconds = l.Measured.MeasuredStepSeconds,
                solSecondsPerOutputToken = l.SolSecondsPerOutputToken,
                efficiency = l.Efficiency,
                solTokensPerSecondPerGpuAtMeasuredInteractivity = l.SolTokensPerSecondPerGpuAtMeasuredInteractivity,
                paretoGapRatio = l.ParetoGapRatio,
            }).ToArray(),
        };
        output.WriteLine(JsonSerializer.Serialize(document, SolJsonWriter.Options));
    }

    public static void WriteCsv(TextWriter output, SweepComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine(string.Join(',', CsvHeader));
        foreach (var r in ComparisonRows.Of(comparison))
        {
            object?[] cells =
            [
                r.Kind, r.Label, r.Batch, r.ContextTokens, r.TokensPerSecondPerUser, r.TokensPerSecondPerGpu,
                r.SolTokensPerSecondPerGpuAtSameInteractivity, r.ParetoGapRatio, r.Efficiency, r.Fits is { } f ? (f ? "true" : "false") : null, r.Note,
            ];
            output.WriteLine(string.Join(',', cells.Select(SolCsvWriter.Cell)));
        }
    }
}
