using System.Globalization;
using System.Text;
using SolProfiler.Analysis.Presentation;

namespace SolProfiler.Cli.Report;

/// <summary>
/// The self-contained HTML report: every chart is inline SVG built here, there is no script and no external asset,
/// and every string from the input is escaped.
/// </summary>
public static class HtmlReport
{
    public static string Render(ReportData data, int pointIndex)
    {
        ArgumentNullException.ThrowIfNull(data);
        var sweep = data.Kind == ReportKind.Sweep;
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<title>{Svg.Esc(data.Title)}</title><style>{ReportStyle.Css}</style></head><body>");
        sb.Append(CultureInfo.InvariantCulture, $"<header><div class=\"brand\">SolProfiler report</div><h1 id=\"report-title\">{Svg.Esc(data.Title)}</h1><div class=\"src\">from {Svg.Esc(Path.GetFileName(data.SourceFile))}</div></header><main>");

        Card(sb, "pareto-card", "Measured against the SOL frontier", true, ParetoSvg.Render(data)
            + (data.Points.Any(p => p.HasData) ? "" : "<p class=\"note\">No point has data: nothing measured to plot.</p>")
            + (data.Frontier.Count == 0 ? "<p class=\"note\">The input holds no SOL frontier.</p>" : ""));
        Card(sb, "efficiency-card", sweep ? "Efficiency by concurrency level" : "Efficiency over time", false, BarChartSvg.Efficiency(data));
        if (data.Points.Any(p => p.Causes is not null))
        {
            Card(sb, "causes-card", "Where the measured step goes", false, BarChartSvg.Causes(data) + CauseLegend());
        }
        else
        {
            Card(sb, "causes-card", "Where the measured step goes", false, "<p class=\"note\" id=\"no-causes\">This input has no gap causes (a sweep measures from the client; the causes need the agent's GPU telemetry), so only the efficiency is shown.</p>");
        }

        var point = data.Points[pointIndex];
        Card(sb, "donut-card", $"SOL step at {point.Label}", false, DonutSvg.Render(point)
            + $"<p class=\"note\">{(sweep ? "Level" : "Window")} {pointIndex.ToString(CultureInfo.InvariantCulture)} (choose with --point).</p>");
        Card(sb, "points-card", sweep ? "Levels" : "Windows", true, ReportTables.Points(data));
        if (sweep)
        {
            Card(sb, "latency-card", "Latency percentiles (ms)", true, ReportTables.Latency(data));
        }

        Card(sb, "energy-card", "Energy: J/token measured vs SOL", false, ReportTables.Energy(data));
        Card(sb, "config-card", "Configuration", false, ReportTables.Configuration(data));
        sb.Append("</main></body></html>\n");
        return sb.ToString();
    }

    public static string Ms(double seconds) => (seconds * 1000).ToString(seconds * 1000 >= 100 ? "0" : seconds * 1000 >= 10 ? "0.0" : "0.00", CultureInfo.InvariantCulture) + " ms";

    private static void Card(StringBuilder sb, string id, string title, bool wide, string body) =>
        sb.Append(CultureInfo.InvariantCulture, $"<section class=\"card{(wide ? " wide" : "")}\" id=\"{id}\"><h2>{Svg.Esc(title)}</h2>{body}</section>");

    private static string CauseLegend()
    {
        var sb = new StringBuilder("<div class=\"legend\">");
        sb.Append(CultureInfo.InvariantCulture, $"<span><span class=\"sw\" style=\"background:{ChartPalette.Sol.Light}\"></span>SOL step</span>");
        foreach (var (_, name, color, _) in ChartPalette.Causes)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<span><span class=\"sw\" style=\"background:{color}\"></span>{Svg.Esc(name)}</span>");
        }

        return sb.Append("</div>").ToString();
    }
}
