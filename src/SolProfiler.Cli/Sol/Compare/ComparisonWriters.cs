using System.Text.Json;
using SolProfiler.Cli.Common;
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
        var document = new ComparisonDocument(
            JsonKind,
            1,
            comparison.Sweep.Path,
            comparison.Differences,
            comparison.Frontier.Results.Select(r => SolResultRecord.From(prepared, r)).ToArray(),
            comparison.Levels.Select(l => new ComparedLevelRecord(
                l.Measured.Concurrency,
                l.Measured.Completed,
                l.Measured.Errors,
                l.Measured.Batch,
                l.Measured.ContextTokens,
                l.Measured.TokensPerSecondPerUser,
                l.Measured.TokensPerSecondPerGpu,
                l.Measured.MeasuredStepSeconds,
                l.SolSecondsPerOutputToken,
                l.Efficiency,
                l.SolTokensPerSecondPerGpuAtMeasuredInteractivity,
                l.ParetoGapRatio)).ToArray());
        output.WriteLine(JsonSerializer.Serialize(document, CliJson.Info<ComparisonDocument>()));
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

/// <summary>The <c>sol --compare --format json</c> document (kind solprof-sol-compare, version 1).</summary>
internal sealed record ComparisonDocument(
    string Kind,
    int Version,
    string Sweep,
    IReadOnlyList<string> Differences,
    IReadOnlyList<SolResultRecord> Frontier,
    IReadOnlyList<ComparedLevelRecord> Levels);

/// <summary>One level of the sweep against the SOL at its operating point.</summary>
internal sealed record ComparedLevelRecord(
    int Concurrency,
    int Completed,
    int Errors,
    double? Batch,
    double? ContextTokens,
    double? TokensPerSecondPerUser,
    double? TokensPerSecondPerGpu,
    double? MeasuredStepSeconds,
    double? SolSecondsPerOutputToken,
    double? Efficiency,
    double? SolTokensPerSecondPerGpuAtMeasuredInteractivity,
    double? ParetoGapRatio);
