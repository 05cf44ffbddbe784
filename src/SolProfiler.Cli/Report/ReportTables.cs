using System.Globalization;
using System.Text;

namespace SolProfiler.Cli.Report;

/// <summary>The report's tables; a point without data reads "no data" in every measured cell, never zero.</summary>
internal static class ReportTables
{
    private const string NoData = "<td class=\"num nodata\">no data</td>";

    public static string Configuration(ReportData data)
    {
        var sb = new StringBuilder("<table class=\"kv\" id=\"configuration\">");
        foreach (var (key, value) in data.Configuration)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{HtmlText.Esc(key)}</td><td>{HtmlText.Esc(value)}</td></tr>");
        }

        return sb.Append("</table>").ToString();
    }

    public static string Points(ReportData data)
    {
        var sweep = data.Kind == ReportKind.Sweep;
        var sb = new StringBuilder("<table id=\"points\"><tr>");
        sb.Append(sweep ? "<th>level</th><th class=\"num\">requests</th><th class=\"num\">completed</th><th class=\"num\">errors</th>" : "<th>window (UTC)</th>");
        sb.Append("<th class=\"num\">tok/s/user</th><th class=\"num\">tok/s/GPU</th><th class=\"num\">measured step</th><th class=\"num\">SOL step</th><th class=\"num\">efficiency</th></tr>");
        foreach (var p in data.Points)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{HtmlText.Esc(p.Label)}</td>");
            if (sweep)
            {
                sb.Append(Cell(p.Requests)).Append(Cell(p.Completed)).Append(Cell(p.Errors));
            }

            if (!p.HasData)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<td class=\"nodata\" colspan=\"5\">no data ({HtmlText.Esc(p.NoDataReason)})</td></tr>");
                continue;
            }

            sb.Append(Cell(p.TokensPerSecondPerUser, HtmlText.Num)).Append(Cell(p.TokensPerSecondPerGpu, HtmlText.Num))
                .Append(Cell(p.MeasuredStepSeconds, HtmlReport.Ms)).Append(Cell(p.SolStepSeconds, HtmlReport.Ms))
                .Append(Cell(p.Efficiency, e => (e * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %")).Append("</tr>");
        }

        return sb.Append("</table>").ToString();
    }

    public static string Latency(ReportData data)
    {
        var sb = new StringBuilder("<table id=\"latency\"><tr><th>level</th>");
        foreach (var metric in new[] { "TTFT", "TPOT", "ITL" })
        {
            foreach (var stat in new[] { "mean", "p50", "p90", "p99" })
            {
                sb.Append(CultureInfo.InvariantCulture, $"<th class=\"num\">{metric} {stat}</th>");
            }
        }

        sb.Append("</tr>");
        foreach (var p in data.Points)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{HtmlText.Esc(p.Label)}</td>");
            foreach (var l in new[] { p.Ttft, p.Tpot, p.Itl })
            {
                foreach (var v in new[] { l?.Mean, l?.P50, l?.P90, l?.P99 })
                {
                    sb.Append(p.HasData ? Cell(v, s => (s * 1000).ToString("0.0#", CultureInfo.InvariantCulture)) : NoData);
                }
            }

            sb.Append("</tr>");
        }

        return sb.Append("</table>").ToString();
    }

    public static string Energy(ReportData data)
    {
        if (!data.Points.Any(p => p.JoulesPerToken is not null || p.SolJoulesPerToken is not null))
        {
            return "<p class=\"note\" id=\"no-energy\">No GPU power was measured and no SOL energy is in the input.</p>";
        }

        var sb = new StringBuilder("<table id=\"energy\"><tr><th>point</th><th class=\"num\">measured J/token</th><th class=\"num\">SOL J/token</th><th class=\"num\">measured / SOL</th></tr>");
        foreach (var p in data.Points)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{HtmlText.Esc(p.Label)}</td>");
            sb.Append(p.HasData ? Cell(p.JoulesPerToken, J) : NoData).Append(Cell(p.SolJoulesPerToken, J));
            sb.Append(p.HasData && p.JoulesPerToken is { } m && p.SolJoulesPerToken is { } s && s > 0 ? Cell(m / s, r => r.ToString("0.0", CultureInfo.InvariantCulture) + "×") : "<td class=\"num muted\">–</td>");
            sb.Append("</tr>");
        }

        return sb.Append("</table>").ToString();
    }

    private static string J(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Cell(int? v) => v is { } i ? $"<td class=\"num\">{i.ToString(CultureInfo.InvariantCulture)}</td>" : "<td class=\"num muted\">–</td>";

    private static string Cell(double? v, Func<double, string> format) => v is { } d ? $"<td class=\"num\">{HtmlText.Esc(format(d))}</td>" : "<td class=\"num muted\">–</td>";
}
