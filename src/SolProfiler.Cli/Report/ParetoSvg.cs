using System.Globalization;
using System.Text;

namespace SolProfiler.Cli.Report;

/// <summary>
/// The Pareto chart as inline SVG: tokens/s/user on x, tokens/s/GPU on y, the SOL frontier (<c>#pareto-frontier</c>)
/// and the measured points (<c>#pareto-points</c>), joined in concurrency order for a sweep (<c>#pareto-measured</c>).
/// </summary>
internal static class ParetoSvg
{
    public static string Render(ReportData data)
    {
        var measured = data.Points.Where(p => p.HasData).ToArray();
        var xMax = data.Frontier.Select(f => f.TokensPerSecondPerUser).Concat(measured.Select(p => p.TokensPerSecondPerUser!.Value)).DefaultIfEmpty(1).Max();
        var yMax = data.Frontier.Select(f => f.TokensPerSecondPerGpu).Concat(measured.Select(p => p.TokensPerSecondPerGpu!.Value)).DefaultIfEmpty(1).Max();
        var xTicks = Svg.Ticks(xMax * 1.08);
        var yTicks = Svg.Ticks(yMax * 1.05);
        var frame = new ChartFrame(760, 420, 70, 16, 740, 370, xTicks[^1], yTicks[^1]);
        var sb = new StringBuilder();
        sb.Append("<svg id=\"pareto\" viewBox=\"0 0 760 420\" width=\"100%\" style=\"max-width:860px\" role=\"img\" aria-label=\"measured tokens/s per GPU against tokens/s per user, with the SOL frontier\" xmlns=\"http://www.w3.org/2000/svg\">");
        Svg.Axes(sb, frame, yTicks, Svg.Num, "tokens/s per user (interactivity)", "tokens/s per GPU (throughput)");
        foreach (var t in xTicks)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Svg.F(frame.X(t))}\" y=\"{Svg.F(frame.Bottom + 16)}\" text-anchor=\"middle\" class=\"muted\" font-size=\"11\">{Svg.Esc(Svg.Num(t))}</text>");
        }

        if (data.Frontier.Count > 0)
        {
            var d = string.Join(" ", data.Frontier.Select((f, i) => (i == 0 ? "M" : "L") + Svg.F(frame.X(f.TokensPerSecondPerUser)) + " " + Svg.F(frame.Y(f.TokensPerSecondPerGpu))));
            sb.Append(CultureInfo.InvariantCulture, $"<path id=\"pareto-frontier\" d=\"{d}\" fill=\"none\" stroke=\"{ReportColors.Frontier}\" stroke-width=\"2.5\" stroke-dasharray=\"6 4\"><title>SOL frontier</title></path>");
            var last = data.Frontier[^1];
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Svg.F(frame.X(last.TokensPerSecondPerUser) + 6)}\" y=\"{Svg.F(frame.Y(last.TokensPerSecondPerGpu))}\" fill=\"{ReportColors.Frontier}\" font-size=\"12\" font-weight=\"700\">SOL</text>");
        }

        if (data.Kind == ReportKind.Sweep && measured.Length > 1)
        {
            var ordered = measured.OrderBy(p => p.Concurrency).ToArray();
            var d = string.Join(" ", ordered.Select((p, i) => (i == 0 ? "M" : "L") + Svg.F(frame.X(p.TokensPerSecondPerUser!.Value)) + " " + Svg.F(frame.Y(p.TokensPerSecondPerGpu!.Value))));
            sb.Append(CultureInfo.InvariantCulture, $"<path id=\"pareto-measured\" d=\"{d}\" fill=\"none\" stroke=\"{ReportColors.Measured}\" stroke-width=\"2\"/>");
        }

        sb.Append("<g id=\"pareto-points\">");
        var labelEvery = Math.Max(1, (int)Math.Ceiling(measured.Length / 12.0));
        for (var i = 0; i < measured.Length; i++)
        {
            var p = measured[i];
            var (x, y) = (frame.X(p.TokensPerSecondPerUser!.Value), frame.Y(p.TokensPerSecondPerGpu!.Value));
            var tip = $"{p.Label}: {Svg.Num(p.TokensPerSecondPerUser!.Value)} tok/s/user, {Svg.Num(p.TokensPerSecondPerGpu!.Value)} tok/s/GPU";
            sb.Append(CultureInfo.InvariantCulture, $"<circle class=\"measured-point\" data-label=\"{Svg.Esc(p.Label)}\" cx=\"{Svg.F(x)}\" cy=\"{Svg.F(y)}\" r=\"5\" fill=\"{ReportColors.Measured}\" stroke=\"#ffffff\" stroke-width=\"1.5\"><title>{Svg.Esc(tip)}</title></circle>");
            if (i % labelEvery == 0 || i == measured.Length - 1)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<text class=\"point-label\" x=\"{Svg.F(x + 7)}\" y=\"{Svg.F(y - 7)}\" font-size=\"11\">{Svg.Esc(p.Label)}</text>");
            }
        }

        sb.Append("</g>");
        var legendY = frame.Top + 4;
        sb.Append(CultureInfo.InvariantCulture, $"<g font-size=\"12\"><line x1=\"{Svg.F(frame.Right - 230)}\" x2=\"{Svg.F(frame.Right - 205)}\" y1=\"{Svg.F(legendY)}\" y2=\"{Svg.F(legendY)}\" stroke=\"{ReportColors.Frontier}\" stroke-width=\"2.5\" stroke-dasharray=\"6 4\"/><text x=\"{Svg.F(frame.Right - 200)}\" y=\"{Svg.F(legendY + 4)}\">SOL frontier</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{Svg.F(frame.Right - 217)}\" cy=\"{Svg.F(legendY + 18)}\" r=\"5\" fill=\"{ReportColors.Measured}\"/><text x=\"{Svg.F(frame.Right - 200)}\" y=\"{Svg.F(legendY + 22)}\">measured{(data.Kind == ReportKind.Sweep ? " (by concurrency)" : " (valid windows)")}</text></g>");
        sb.Append("</svg>");
        return sb.ToString();
    }
}
