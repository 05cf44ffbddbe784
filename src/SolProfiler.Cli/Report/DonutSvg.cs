using System.Globalization;
using System.Text;
using SolProfiler.Analysis.Presentation;

namespace SolProfiler.Cli.Report;

/// <summary>The SOL donut at one point as inline SVG (<c>#sol-donut</c>): the SOL step's shares by component, the bound in the middle.</summary>
internal static class DonutSvg
{
    public static string Render(ReportPoint point)
    {
        var shares = point.SolShares;
        if (shares is null || shares.Count == 0)
        {
            return "<p class=\"empty\">no SOL result at this point</p>";
        }

        var values = ChartPalette.Components.Select(c => shares.TryGetValue(c.Key, out var v) ? Math.Max(0, v) : 0).ToArray();
        var total = values.Sum();
        const double size = 180, c0 = size / 2, r1 = 84, r0 = 56;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<div class=\"donut-wrap\"><svg id=\"sol-donut\" viewBox=\"0 0 {size} {size}\" width=\"{size}\" height=\"{size}\" role=\"img\" aria-label=\"SOL step shares\" xmlns=\"http://www.w3.org/2000/svg\">");
        sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{c0}\" cy=\"{c0}\" r=\"{(r0 + r1) / 2}\" fill=\"none\" stroke=\"var(--grid)\" stroke-width=\"{r1 - r0}\"/>");
        var a = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            if (total <= 0 || values[i] <= 0)
            {
                continue;
            }

            var share = values[i] / total;
            var (key, name, color, _) = ChartPalette.Components[i];
            sb.Append(CultureInfo.InvariantCulture, $"<path id=\"donut-{key}\" d=\"{Arc(c0, r0, r1, a, a + share)}\" fill=\"{color}\" fill-rule=\"evenodd\" stroke=\"var(--card)\" stroke-width=\"1.5\"><title>{Svg.Esc($"{name}: {share * 100:0} %")}</title></path>");
            a += share;
        }

        sb.Append(CultureInfo.InvariantCulture, $"<text id=\"donut-bound\" x=\"{c0}\" y=\"{c0 - 4}\" text-anchor=\"middle\" font-size=\"18\" font-weight=\"700\">{Svg.Esc(point.SolBound ?? "?")}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{c0}\" y=\"{c0 + 14}\" text-anchor=\"middle\" class=\"muted\" font-size=\"12\">bound</text>");
        if (point.SolStepSeconds is { } step)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{c0}\" y=\"{c0 + 30}\" text-anchor=\"middle\" class=\"muted\" font-size=\"12\">{Svg.Esc(HtmlReport.Ms(step))}</text>");
        }

        sb.Append("</svg><div class=\"donut-legend\">");
        for (var i = 0; i < values.Length; i++)
        {
            var (key, name, color, _) = ChartPalette.Components[i];
            var secs = point.SolSeconds is { } s && s.TryGetValue(key, out var v) ? HtmlReport.Ms(v) : "–";
            var pct = total > 0 ? (values[i] / total * 100).ToString("0", CultureInfo.InvariantCulture) + " %" : "–";
            sb.Append(CultureInfo.InvariantCulture, $"<span class=\"sw\" style=\"background:{color}\"></span><span>{Svg.Esc(name)}</span><span class=\"num\">{pct}</span><span class=\"num muted\">{Svg.Esc(secs)}</span>");
        }

        sb.Append("</div></div>");
        return sb.ToString();
    }

    /// <summary>A ring sector from turn <paramref name="a0"/> to <paramref name="a1"/>, clockwise from 12 o'clock; a whole ring is two rings cut even-odd.</summary>
    private static string Arc(double c, double r0, double r1, double a0, double a1)
    {
        var span = a1 - a0;
        if (span >= 0.9999)
        {
            string Ring(double r, int sweep) => FormattableString.Invariant($"M{c} {c - r}A{r} {r} 0 1 {sweep} {c} {c + r}A{r} {r} 0 1 {sweep} {c} {c - r}Z");
            return Ring(r1, 1) + Ring(r0, 0);
        }

        (double X, double Y) P(double r, double t) => (c + (r * Math.Sin(2 * Math.PI * t)), c - (r * Math.Cos(2 * Math.PI * t)));
        var large = span > 0.5 ? 1 : 0;
        var (p0, p1, p2, p3) = (P(r1, a0), P(r1, a1), P(r0, a1), P(r0, a0));
        return FormattableString.Invariant($"M{Svg.F(p0.X)} {Svg.F(p0.Y)}A{r1} {r1} 0 {large} 1 {Svg.F(p1.X)} {Svg.F(p1.Y)}L{Svg.F(p2.X)} {Svg.F(p2.Y)}A{r0} {r0} 0 {large} 0 {Svg.F(p3.X)} {Svg.F(p3.Y)}Z");
    }
}
