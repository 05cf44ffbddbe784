using System.Globalization;
using System.Text;
using SolProfiler.Analysis.Presentation;

namespace SolProfiler.Cli.Report;

/// <summary>
/// Bars per point as inline SVG: efficiency (<c>#efficiency-bars</c>, with the SOL line at 100 %) or the measured step
/// stacked as SOL step plus gap causes (<c>#causes-bars</c>). A point without data shows "no data", never a zero bar.
/// </summary>
internal static class BarChartSvg
{
    public static string Efficiency(ReportData data)
    {
        var points = data.Points;
        var max = Math.Max(1.0, points.Select(p => p.Efficiency ?? 0).DefaultIfEmpty(0).Max());
        return Bars(
            "efficiency", points, Svg.Ticks(max * 1.02, 5), t => (t * 100).ToString("0", CultureInfo.InvariantCulture) + " %", "efficiency (SOL step / measured step)",
            p => p.Efficiency is { } e ? [(e, ChartPalette.Sol.Light, $"{p.Label}: {e * 100:0.0} % of SOL")] : null,
            (sb, frame) =>
            {
                var y = frame.Y(1);
                sb.Append(CultureInfo.InvariantCulture, $"<line id=\"efficiency-sol-line\" x1=\"{Svg.F(frame.Left)}\" x2=\"{Svg.F(frame.Right)}\" y1=\"{Svg.F(y)}\" y2=\"{Svg.F(y)}\" stroke=\"{ChartPalette.Sol.Light}\" stroke-dasharray=\"6 4\"/>");
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Svg.F(frame.Right - 4)}\" y=\"{Svg.F(y - 4)}\" text-anchor=\"end\" fill=\"{ChartPalette.Sol.Light}\" font-size=\"11\">SOL</text>");
            });
    }

    public static string Causes(ReportData data)
    {
        var points = data.Points;
        var max = points.Where(p => p.Causes is not null).Select(p => Stack(p).Sum(s => s.Value)).DefaultIfEmpty(0).Max() * 1000;
        return Bars(
            "causes", points, Svg.Ticks(max * 1.05, 4), t => Svg.Num(t) + " ms", "step (ms): SOL + gap causes",
            p => p.Causes is null ? null : Stack(p).Select(s => (s.Value * 1000, s.Color, $"{p.Label}: {s.Name} {s.Value * 1000:0.###} ms")).ToArray(),
            null);
    }

    /// <summary>The measured step split into the SOL step and each cause's seconds, in stacking order.</summary>
    public static IEnumerable<(string Name, string Color, double Value)> Stack(ReportPoint p)
    {
        yield return ("SOL step", ChartPalette.Sol.Light, p.SolStepSeconds ?? 0);
        foreach (var (key, name, color, _) in ChartPalette.Causes)
        {
            yield return (name, color, p.Causes is { } c && c.TryGetValue(key, out var v) ? Math.Max(0, v) : 0);
        }
    }

    private static string Bars(
        string id,
        IReadOnlyList<ReportPoint> points,
        double[] yTicks,
        Func<double, string> yText,
        string yTitle,
        Func<ReportPoint, (double Value, string Color, string Tip)[]?> segments,
        Action<StringBuilder, ChartFrame>? overlay)
    {
        var frame = new ChartFrame(760, 300, 70, 14, 740, 250, Math.Max(1, points.Count), yTicks[^1]);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg id=\"{id}\" viewBox=\"0 0 760 300\" width=\"100%\" role=\"img\" aria-label=\"{Svg.Esc(yTitle)}\" xmlns=\"http://www.w3.org/2000/svg\">");
        Svg.Axes(sb, frame, yTicks, yText, (points.Count == 0 || points[0].Concurrency is null) ? "window (UTC)" : "concurrency level", yTitle);
        var slot = (frame.Right - frame.Left) / Math.Max(1, points.Count);
        var width = Math.Min(48, slot * 0.7);
        var labelEvery = Math.Max(1, (int)Math.Ceiling(points.Count / 16.0));
        sb.Append(CultureInfo.InvariantCulture, $"<g id=\"{id}-bars\">");
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            var center = frame.Left + (slot * (i + 0.5));
            var parts = p.HasData ? segments(p) : null;
            if (parts is null)
            {
                var why = p.HasData ? "not in the input" : p.NoDataReason ?? "nothing measured";
                sb.Append(CultureInfo.InvariantCulture, $"<text class=\"no-data\" data-label=\"{Svg.Esc(p.Label)}\" x=\"{Svg.F(center)}\" y=\"{Svg.F(frame.Bottom - 8)}\" text-anchor=\"start\" font-size=\"11\" transform=\"rotate(-90 {Svg.F(center)} {Svg.F(frame.Bottom - 8)})\" dy=\"4\">no data<title>{Svg.Esc(p.Label + ": no data (" + why + ")")}</title></text>");
            }
            else
            {
                var bottom = 0.0;
                foreach (var (value, color, tip) in parts)
                {
                    if (value <= 0)
                    {
                        continue;
                    }

                    var (y0, y1) = (frame.Y(bottom), frame.Y(bottom + value));
                    sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar\" data-label=\"{Svg.Esc(p.Label)}\" x=\"{Svg.F(center - (width / 2))}\" y=\"{Svg.F(y1)}\" width=\"{Svg.F(width)}\" height=\"{Svg.F(Math.Max(0.5, y0 - y1))}\" fill=\"{color}\"><title>{Svg.Esc(tip)}</title></rect>");
                    bottom += value;
                }
            }

            if (i % labelEvery == 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Svg.F(center)}\" y=\"{Svg.F(frame.Bottom + 16)}\" text-anchor=\"middle\" class=\"muted\" font-size=\"11\">{Svg.Esc(p.Label)}</text>");
            }
        }

        sb.Append("</g>");
        overlay?.Invoke(sb, frame);
        sb.Append("</svg>");
        return sb.ToString();
    }
}
