using System.Globalization;
using System.Text.RegularExpressions;

namespace SolProfiler.Telemetry.Exposition;

/// <summary>A lint finding on one metric family: not an error, a convention the body does not follow.</summary>
public sealed record MetricsLintWarning(string Metric, string Message);

/// <summary>What <see cref="MetricsCheck.Run"/> found: errors (malformed lines, document problems) apart from lint warnings.</summary>
public sealed record MetricsCheckReport(
    ExpositionFormat Format,
    int LineErrorCount,
    IReadOnlyList<ExpositionError> LineErrors,
    IReadOnlyList<ExpositionError> Problems,
    IReadOnlyList<MetricsLintWarning> Warnings,
    int Series)
{
    public bool HasErrors => LineErrorCount > 0 || Problems.Count > 0;
}

/// <summary>
/// <c>promtool check metrics</c> for this project: the parser's line errors and document problems, then the naming
/// conventions promtool lints (client_golang's promlint): HELP present, counters end in <c>_total</c>, base units
/// (seconds, bytes, ...) spelled out, no abbreviated units, no <c>:</c> (reserved for recording rules), snake_case,
/// no type in the name, and <c>_bucket</c>/<c>_count</c>/<c>_sum</c>, <c>le</c> and <c>quantile</c> left to the
/// histograms and summaries that own them. Pure; no I/O.
/// </summary>
public static partial class MetricsCheck
{
    /// <summary>Every line error is kept with its text, not only the first ones a scrape keeps.</summary>
    private static readonly ExpositionLimits CheckLimits = new() { MaxErrorsKept = 100_000 };

    private static readonly (string Unit, string Base)[] NonBaseUnits =
    [
        ("nanoseconds", "seconds"), ("microseconds", "seconds"), ("milliseconds", "seconds"), ("minutes", "seconds"),
        ("hours", "seconds"), ("days", "seconds"), ("weeks", "seconds"), ("kilobytes", "bytes"), ("megabytes", "bytes"),
        ("gigabytes", "bytes"), ("terabytes", "bytes"), ("kilometers", "meters"), ("millimeters", "meters"),
        ("kilowatts", "watts"), ("milliwatts", "watts"),
    ];

    private static readonly string[] AbbreviatedUnits = ["ms", "us", "ns", "sec", "secs", "kb", "mb", "gb", "kib", "mib", "gib", "pct"];

    private static readonly string[] TypeWords = ["counter", "gauge", "histogram", "summary", "untyped"];

    /// <param name="body">The exposition.</param>
    /// <param name="contentType">The media type it was served with, if any (OpenMetrics is taken from it).</param>
    /// <param name="format">The format to check against whatever the body looks like; null: from the content type, else the body's end.</param>
    public static MetricsCheckReport Run(string body, string? contentType, ExpositionFormat? format = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        var doc = ExpositionParser.Parse(body, CheckLimits, contentType, format);
        var warnings = new List<MetricsLintWarning>();
        foreach (var family in doc.Families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            Lint(family, warnings);
        }

        return new MetricsCheckReport(doc.Format, doc.LineErrorCount, doc.Errors, doc.Problems, warnings, doc.SeriesCount);
    }

    private static void Lint(MetricFamily family, List<MetricsLintWarning> warnings)
    {
        var name = family.Name;
        void Warn(string message) => warnings.Add(new MetricsLintWarning(name, message));

        if (string.IsNullOrEmpty(family.Help))
        {
            Warn("no help text");
        }

        var isCounter = family.Type == MetricType.Counter;
        if (isCounter && family.Samples.Count > 0 && !family.Samples.Any(s => s.Name.EndsWith("_total", StringComparison.Ordinal)))
        {
            Warn("counter metrics should have \"_total\" suffix");
        }

        if (name.Contains(':', StringComparison.Ordinal))
        {
            Warn("metric names should not contain ':'"); // ':' is kept for recording rules
        }

        if (CamelCase().IsMatch(name))
        {
            Warn("metric names should be written in 'snake_case' not 'camelCase'");
        }

        var words = name.ToLowerInvariant().Split('_', ':');
        foreach (var (unit, baseUnit) in NonBaseUnits)
        {
            if (words.Contains(unit))
            {
                Warn(string.Create(CultureInfo.InvariantCulture, $"use base unit \"{baseUnit}\" instead of \"{unit}\""));
            }
        }

        if (words.Any(w => AbbreviatedUnits.Contains(w)))
        {
            Warn("metric names should not contain abbreviated units");
        }

        foreach (var type in TypeWords)
        {
            if (words.Contains(type))
            {
                Warn(string.Create(CultureInfo.InvariantCulture, $"metric name should not include type '{type}'"));
            }
        }

        var histogramLike = family.Type is MetricType.Histogram or MetricType.GaugeHistogram or MetricType.Summary;
        if (!histogramLike)
        {
            foreach (var suffix in new[] { "_bucket", "_count", "_sum" })
            {
                if (family.Type != MetricType.Untyped && family.Type != MetricType.Unknown && name.EndsWith(suffix, StringComparison.Ordinal))
                {
                    Warn(string.Create(CultureInfo.InvariantCulture, $"non-histogram and non-summary metrics should not have \"{suffix}\" suffix"));
                }
            }

            if (family.Samples.Any(s => s.LabelValue("le") is not null))
            {
                Warn("non-histogram metrics should not have \"le\" label");
            }

            if (family.Samples.Any(s => s.LabelValue("quantile") is not null))
            {
                Warn("non-summary metrics should not have \"quantile\" label");
            }
        }

        foreach (var label in family.Samples.SelectMany(s => s.Labels).Select(l => l.Name).Distinct(StringComparer.Ordinal))
        {
            if (CamelCase().IsMatch(label))
            {
                Warn(string.Create(CultureInfo.InvariantCulture, $"label names should be written in 'snake_case' not 'camelCase' ({label})"));
            }
        }
    }

    [GeneratedRegex("[a-z][A-Z]")]
    private static partial Regex CamelCase();
}
