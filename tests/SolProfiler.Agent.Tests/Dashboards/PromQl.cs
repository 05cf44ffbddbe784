using System.Text.RegularExpressions;

namespace SolProfiler.Agent.Tests.Dashboards;

/// <summary>Just enough PromQL reading for the dashboard lint: metric names and rate windows, by regular expression.</summary>
internal static partial class PromQl
{
    /// <summary>
    /// The metric names an expression references. Approach: drop quoted strings (label values such as
    /// <c>kind="sol"</c> are not names), then take every whole identifier that starts with <c>sol_</c> and is not a
    /// function call: followed by a selector (<c>{</c>), a range (<c>[</c>), whitespace, <c>)</c>, <c>,</c>, an operator
    /// or the end. Function names, label names
    /// and keywords never start with <c>sol_</c> here, so what remains is the metric names. Not a parser: enough for the
    /// dashboards' selectors and for a typo to surface as an unknown name.
    /// </summary>
    public static IReadOnlySet<string> MetricNames(string expr) =>
        MetricName().Matches(QuotedString().Replace(expr, "\"\"")).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>The <c>rate(</c>, <c>irate(</c> and <c>increase(</c> calls whose range is not <c>[$__rate_interval]</c>.</summary>
    public static IReadOnlyList<string> RateWindowViolations(string expr)
    {
        var violations = new List<string>();
        foreach (Match call in RateCall().Matches(expr))
        {
            // The first range selector after the call opens is the call's window.
            var range = RangeSelector().Match(expr, call.Index + call.Length);
            if (!range.Success || range.Groups[1].Value != "$__rate_interval")
            {
                violations.Add($"{call.Groups[1].Value}(...[{(range.Success ? range.Groups[1].Value : "none")}])");
            }
        }

        return violations;
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'")]
    private static partial Regex QuotedString();

    [GeneratedRegex(@"(?<![A-Za-z0-9_:])sol_[A-Za-z0-9_:]*(?![A-Za-z0-9_:]|\s*\()")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])(rate|irate|increase)\s*\(")]
    private static partial Regex RateCall();

    [GeneratedRegex(@"\[\s*([^\]]*?)\s*\]")]
    private static partial Regex RangeSelector();
}
