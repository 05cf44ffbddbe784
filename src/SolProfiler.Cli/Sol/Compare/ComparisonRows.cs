using System.Globalization;

namespace SolProfiler.Cli.Sol.Compare;

/// <summary>One row of the overlay: a SOL frontier point or a measured level, in the order of falling tokens/s/user.</summary>
public sealed record ComparisonRow(
    string Kind,
    string Label,
    double? Batch,
    double? ContextTokens,
    double? TokensPerSecondPerUser,
    double? TokensPerSecondPerGpu,
    double? SolTokensPerSecondPerGpuAtSameInteractivity,
    double? ParetoGapRatio,
    double? Efficiency,
    bool? Fits,
    string? Note);

/// <summary>The frontier and the measured levels merged into one list, as the table and the CSV show them.</summary>
public static class ComparisonRows
{
    public const string SolKind = "sol";
    public const string MeasuredKind = "measured";

    public static IReadOnlyList<ComparisonRow> Of(SweepComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var frontier = comparison.Frontier.Results.Select(r => new ComparisonRow(
            SolKind, "SOL B=" + r.Batch.ToString(CultureInfo.InvariantCulture), r.Batch, r.Context, r.TokensPerSecondPerUser, r.TokensPerSecondPerGpu,
            null, null, null, r.Fits, r.Fits ? null : "does not fit in memory"));
        var measured = comparison.Levels.Select(l => new ComparisonRow(
            MeasuredKind, "c=" + l.Measured.Concurrency.ToString(CultureInfo.InvariantCulture), l.Measured.Batch, l.Measured.ContextTokens,
            l.Measured.TokensPerSecondPerUser, l.Measured.TokensPerSecondPerGpu, l.SolTokensPerSecondPerGpuAtMeasuredInteractivity, l.ParetoGapRatio, l.Efficiency,
            null, l.Measured.Completed == 0 ? $"no completed request ({l.Measured.Errors.ToString(CultureInfo.InvariantCulture)} errors)" : null));
        // Highest interactivity first, as the frontier runs from B=1 down; empty levels last, in concurrency order.
        return frontier.Concat(measured)
            .OrderBy(r => r.TokensPerSecondPerUser is null)
            .ThenByDescending(r => r.TokensPerSecondPerUser ?? 0)
            .ThenBy(r => r.Kind == MeasuredKind)
            .ToArray();
    }
}
