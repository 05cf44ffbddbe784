using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SolProfiler.Cli.Common;
using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Cli.CheckMetrics;

/// <summary>The report of <c>solprof check-metrics</c> as text (one finding per line, as promtool prints) or JSON.</summary>
public static class CheckMetricsWriters
{

    public static void WriteText(TextWriter output, MetricsCheckReport report)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(report);
        foreach (var e in report.LineErrors)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"error: line {e.LineNumber}: {e.Message}"));
        }

        if (report.LineErrorCount > report.LineErrors.Count)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"error: {report.LineErrorCount - report.LineErrors.Count} more malformed lines"));
        }

        foreach (var p in report.Problems)
        {
            output.WriteLine($"problem: {p}");
        }

        foreach (var w in report.Warnings)
        {
            output.WriteLine($"warning: {w.Metric}: {w.Message}");
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Name(report.Format)}: {report.Series} series, {report.LineErrorCount} malformed line(s), {report.Problems.Count} problem(s), {report.Warnings.Count} warning(s)"));
    }

    public static void WriteJson(TextWriter output, MetricsCheckReport report)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(report);
        var record = new Record(
            Name(report.Format),
            report.LineErrors.Select(e => new Finding(e.LineNumber, e.Message)).ToArray(),
            report.LineErrorCount,
            report.Problems.Select(p => new Finding(p.LineNumber, p.Message)).ToArray(),
            report.Warnings.Select(w => new Warning(w.Metric, w.Message)).ToArray(),
            report.Series);
        output.WriteLine(JsonSerializer.Serialize(record, CliJson.Info<Record>()));
    }

    private static string Name(ExpositionFormat format) => format == ExpositionFormat.OpenMetrics100 ? "openmetrics-1.0.0" : "prometheus-text-0.0.4";

    internal sealed record Finding(int Line, string Message);

    internal sealed record Warning(string Metric, string Message);

    internal sealed record Record(
        string Format,
        IReadOnlyList<Finding> LineErrors,
        int LineErrorCount,
        IReadOnlyList<Finding> Problems,
        IReadOnlyList<Warning> Warnings,
        [property: JsonPropertyName("series")] int Series);
}
