using System.Globalization;

namespace SolProfiler.Telemetry.Exposition;

/// <summary>
/// What a sample's value and name must be for its family's type, checked once the family is known (in
/// <see cref="ExpositionDocumentBuilder.Build"/>). A sample that breaks one is a line error and is not kept: the specs
/// give no value for it. Written from OpenMetrics 1.0 ("Metric types") and the text format 0.0.4.
/// </summary>
internal static class FamilySampleRules
{
    /// <summary>What is wrong with the sample, or null.</summary>
    public static string? Violation(MetricFamily family, string sampleName, IReadOnlyList<Label> labels, double value, bool hasExemplar, ExpositionFormat format)
    {
        var openMetrics = format == ExpositionFormat.OpenMetrics100;

        // Called once per sample: the suffix is named without cutting a string.
        var suffix = SuffixOf(sampleName.AsSpan(Math.Min(family.Name.Length, sampleName.Length)));
        switch (family.Type)
        {
            case MetricType.Histogram or MetricType.GaugeHistogram when suffix == "_bucket":
                if (double.IsNaN(value) || value < 0)
                {
                    return Say($"histogram bucket {sampleName} is {Number(value)}: a bucket counts observations (never negative or NaN); sample skipped");
                }

                break;
            case MetricType.Histogram or MetricType.Summary when suffix == "_count" && (double.IsNaN(value) || value < 0):
                return Say($"{sampleName} is {Number(value)}: a count is never negative or NaN; sample skipped");
            case MetricType.Summary when suffix == "" && Quantile(labels) is { } q && !(q >= 0 && q <= 1):
                return Say($"quantile=\"{Number(q)}\" of {sampleName} is outside 0..1; sample skipped");
            case MetricType.Counter when openMetrics && suffix is not ("_total" or "_created"):
                return Say($"{sampleName}: an OpenMetrics counter's samples are {family.Name}_total and {family.Name}_created; sample skipped");
            case MetricType.Counter when openMetrics && suffix == "_total" && (double.IsNaN(value) || value < 0):
                return Say($"counter {sampleName} is {Number(value)}: a counter's total is never negative or NaN; sample skipped");
            case MetricType.StateSet when openMetrics && value is not (0 or 1):
                return Say($"stateset {sampleName} is {Number(value)}: a state is 0 or 1; sample skipped");
            case MetricType.Info when openMetrics && suffix != "_info":
                return Say($"{sampleName}: an OpenMetrics info metric's sample is {family.Name}_info; sample skipped");
            case MetricType.Info when openMetrics && value != 1:
                return Say($"info {sampleName} is {Number(value)}: an info sample is 1; sample skipped");
        }

        // OpenMetrics: exemplars go on a counter's _total and a histogram's (or gauge histogram's) _bucket only.
        var exemplarAllowed = (family.Type == MetricType.Counter && suffix == "_total") ||
            (family.Type is MetricType.Histogram or MetricType.GaugeHistogram && suffix == "_bucket");
        return hasExemplar && !exemplarAllowed
            ? Say($"{sampleName}: exemplars go only on a counter's _total and a histogram's _bucket, not on a {TypeName(family.Type)} sample; sample skipped")
            : null;
    }

    private static readonly string[] s_suffixes = ["_bucket", "_count", "_total", "_created", "_info"];

    /// <summary>The known suffix <paramref name="rest"/> is (the same string instance each time), "" for none, else "?".</summary>
    private static string SuffixOf(ReadOnlySpan<char> rest)
    {
        if (rest.IsEmpty)
        {
            return "";
        }

        foreach (var suffix in s_suffixes)
        {
            if (rest.SequenceEqual(suffix))
            {
                return suffix;
            }
        }

        return "?";
    }

    private static double? Quantile(IReadOnlyList<Label> labels)
    {
        foreach (var l in labels)
        {
            if (l.Name == "quantile")
            {
                return ExpositionNumber.TryParse(l.Value, out var q) ? q : null;
            }
        }

        return null;
    }

    private static string TypeName(MetricType type) => type.ToString().ToLowerInvariant();

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Say(FormattableString message) => message.ToString(CultureInfo.InvariantCulture);
}
