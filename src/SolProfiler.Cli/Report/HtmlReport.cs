using System.Globalization;
using System.Text;
using SolProfiler.Cli.Charts;
using SolProfiler.Analysis.Presentation;

namespace SolProfiler.Cli.Report;

/// <summary>
/// The self-contained HTML report: every chart is inline SVG drawn by the same plots as the PNGs
/// (<see cref="ReportPlots"/>), there is no script and no external asset, and every string from the input is escaped.
/// </summary>
public static class HtmlReport
{
    public static string Render(ReportData data, int pointIndex)
    {
        ArgumentNullException.ThrowIfNull(data);
        var sweep = data.Kind == ReportKind.Sweep;
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<title>{HtmlText.Esc(data.Title)}</title><style>{ReportStyle.Css}</style></head><body>");
        sb.Append(CultureInfo.InvariantCulture, $"<header><div class=\"brand\">SolProfiler report</div><h1 id=\"report-title\">{HtmlText.Esc(data.Title)}</h1><div class=\"src\">from {HtmlText.Esc(Path.GetFileName(data.SourceFile))}</div></header><main>");

        Card(sb, "pareto-card", "Measured against the SOL frontier (log-log)", true,
            ChartFiles.InlineSvg(ReportPlots.Pareto(data), 760, 420, "pareto", "measured tokens/s per GPU against tokens/s per user, with the SOL frontier, both on log scales", maxWidth: 860)
            + (data.Points.Any(p => p.HasData) ? "" : "<p class=\"note\">No point has data: nothing measured to plot.</p>")
            + (data.Frontier.Count == 0 ? "<p class=\"note\">The input holds no SOL frontier.</p>" : ""));
        Card(sb, "efficiency-card", sweep ? "Efficiency by concurrency level" : "Efficiency over time", false, ChartFiles.InlineSvg(ReportPlots.Efficiency(data), 760, 300, "efficiency", "efficiency: SOL step over measured step, per point"));
        if (data.Points.Any(p => p.Causes is not null))
        {
            Card(sb, "causes-card", "Where the measured step goes", false, ChartFiles.InlineSvg(WithoutLegend(ReportPlots.Causes(data)), 760, 300, "causes", "the measured step as the SOL step plus each gap cause, per point") + CauseLegend());
        }
        else
        {
            Card(sb, "causes-card", "Where the measured step goes", false, "<p class=\"note\" id=\"no-causes\">This input has no gap causes (a sweep measures from the client; the causes need the agent's GPU telemetry), so only the efficiency is shown.</p>");
        }

        var point = data.Points[pointIndex];
        Card(sb, "donut-card", $"SOL step at {point.Label}", false, Donut(point)
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
        sb.Append(CultureInfo.InvariantCulture, $"<section class=\"card{(wide ? " wide" : "")}\" id=\"{id}\"><h2>{HtmlText.Esc(title)}</h2>{body}</section>");

    /// <summary>The donut and its table: each component's share and seconds of the SOL step.</summary>
    private static string Donut(ReportPoint point)
    {
        if (ReportPlots.Donut(point) is not { } plot)
        {
            return "<p class=\"empty\">no SOL result at this point</p>";
        }

        var shares = point.SolShares!;
        var total = ChartPalette.Components.Sum(c => shares.TryGetValue(c.Key, out var v) ? Math.Max(0, v) : 0);
        var sb = new StringBuilder("<div class=\"donut-wrap\">");
        sb.Append(ChartFiles.InlineSvg(plot, 220, 220, "sol-donut", "the SOL step's shares by component", maxWidth: 220));
        sb.Append("<div class=\"donut-legend\">");
        foreach (var (key, name, color, _) in ChartPalette.Components)
        {
            var share = shares.TryGetValue(key, out var v) ? Math.Max(0, v) : 0;
            var secs = point.SolSeconds is { } s && s.TryGetValue(key, out var sv) ? Ms(sv) : "–";
            var pct = total > 0 ? (share / total * 100).ToString("0", CultureInfo.InvariantCulture) + " %" : "–";
            sb.Append(CultureInfo.InvariantCulture, $"<span class=\"sw\" style=\"background:{color}\"></span><span>{HtmlText.Esc(name)}</span><span class=\"num\">{pct}</span><span class=\"num muted\">{HtmlText.Esc(secs)}</span>");
        }

        return sb.Append("</div></div>").ToString();
    }

    /// <summary>The causes' legend is HTML under the chart (<see cref="CauseLegend"/>), which wraps where the plot's would cover bars.</summary>
    private static ScottPlot.Plot WithoutLegend(ScottPlot.Plot plot)
    {
        plot.HideLegend();
        return plot;
    }

    private static string CauseLegend()
    {
        var sb = new StringBuilder("<div class=\"legend\">");
        sb.Append(CultureInfo.InvariantCulture, $"<span><span class=\"sw\" style=\"background:{ChartPalette.Sol.Light}\"></span>SOL step</span>");
        foreach (var (_, name, color, _) in ChartPalette.Causes)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<span><span class=\"sw\" style=\"background:{color}\"></span>{HtmlText.Esc(name)}</span>");
        }

        return sb.Append("</div>").ToString();
    }
}
