using System.Globalization;
using System.Text;
using SolProfiler.Analysis.Presentation;

namespace SolProfiler.Cli.Report;

/// <summary>
/// The Pareto chart as inline SVG, log-log as on the status page and in the PNGs: tokens/s/user on x, tokens/s/GPU on
/// y, the SOL frontier as the curve of its batch points (<c>#pareto-frontier</c>)
/// and the measured points (<c>#pareto-points</c>), joined in concurrency order for a sweep (<c>#pareto-measured</c>).
/// </summary>
internal static class ParetoSvg
{
    public static string Render(ReportData data)
    {
        var measured = data.Points.Where(p => p.HasData && p.TokensPerSecondPerUser > 0 && p.TokensPerSecondPerGpu > 0).ToArray();
        var frontierPoints = data.Frontier.Where(f => f.TokensPerSecondPerUser > 0 && f.TokensPerSecondPerGpu > 0).ToArray();
        var xs = frontierPoints.Select(f => f.TokensPerSecondPerUser).Concat(measured.Select(p => p.TokensPerSecondPerUser!.Value)).DefaultIfEmpty(1).ToArray();
        var ys = frontierPoints.Select(f => f.TokensPerSecondPerGpu).Concat(measured.Select(p => p.TokensPerSecondPerGpu!.Value)).DefaultIfEmpty(1).ToArray();

        // Log-log, with the status page's padding and ticks (ParetoPlot draws the files the same way).
        var frame = new LogFrame(70, 16, 740, 370, xs.Min() / 1.4, xs.Max() * 1.8, ys.Min() / 1.4, ys.Max() * 1.5);
        var sb = new StringBuilder();
        sb.Append("<svg id=\"pareto\" viewBox=\"0 0 760 420\" width=\"100%\" style=\"max-width:860px\" role=\"img\" aria-label=\"measured tokens/s per GPU against tokens/s per user, with the SOL frontier, both on log scales\" xmlns=\"http://www.w3.org/2000/svg\">");
        foreach (var (t, label) in Charts.LogTicks.Between(frame.YLow, frame.YHigh))
        {
            var y = frame.Y(t);
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Svg.F(frame.Left)}\" x2=\"{Svg.F(frame.Right)}\" y1=\"{Svg.F(y)}\" y2=\"{Svg.F(y)}\" stroke=\"var(--grid)\"/>");
            if (label)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Svg.F(frame.Left - 6)}\" y=\"{Svg.F(y + 4)}\" text-anchor=\"end\" class=\"muted\" font-size=\"11\">{Svg.Esc(Charts.LogTicks.Compact(t))}</text>");
            }
        }

        foreach (var (t, label) in Charts.LogTicks.Between(frame.XLow, frame.XHigh))
        {
            var x = frame.X(t);
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Svg.F(x)}\" x2=\"{Svg.F(x)}\" y1=\"{Svg.F(frame.Top)}\" y2=\"{Svg.F(frame.Bottom)}\" stroke=\"var(--grid)\"/>");
            if (label)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Svg.F(x)}\" y=\"{Svg.F(frame.Bottom + 16)}\" text-anchor=\"middle\" class=\"muted\" font-size=\"11\">{Svg.Esc(Charts.LogTicks.Compact(t))}</text>");
            }
        }

        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Svg.F(frame.Left)}\" x2=\"{Svg.F(frame.Right)}\" y1=\"{Svg.F(frame.Bottom)}\" y2=\"{Svg.F(frame.Bottom)}\" stroke=\"var(--muted)\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Svg.F((frame.Left + frame.Right) / 2)}\" y=\"414\" text-anchor=\"middle\" class=\"muted\" font-size=\"12\">tokens/s per user (interactivity, log scale)</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(14 {Svg.F((frame.Top + frame.Bottom) / 2)}) rotate(-90)\" text-anchor=\"middle\" class=\"muted\" font-size=\"12\">tokens/s per GPU (throughput, log scale)</text>");

        if (frontierPoints.Length > 0)
        {
            // The curve of every batch point, each labelled B=N where it stands clear of the last label.
            var d = string.Join(" ", frontierPoints.Select((f, i) => (i == 0 ? "M" : "L") + Svg.F(frame.X(f.TokensPerSecondPerUser)) + " " + Svg.F(frame.Y(f.TokensPerSecondPerGpu))));
            sb.Append(CultureInfo.InvariantCulture, $"<path id=\"pareto-frontier\" d=\"{d}\" fill=\"none\" stroke=\"{ChartPalette.Frontier.Light}\" stroke-width=\"2.5\" stroke-dasharray=\"6 4\"><title>SOL frontier</title></path>");
            (double X, double Y)? lastLabel = null;
            foreach (var f in frontierPoints)
            {
                var (x, y) = (frame.X(f.TokensPerSecondPerUser), frame.Y(f.TokensPerSecondPerGpu));
                sb.Append(CultureInfo.InvariantCulture, $"<circle class=\"frontier-point\" cx=\"{Svg.F(x)}\" cy=\"{Svg.F(y)}\" r=\"{(f.Fits ? 3 : 5)}\" fill=\"{(f.Fits ? ChartPalette.Frontier.Light : "none")}\" stroke=\"{(f.Fits ? "none" : ChartPalette.DoesNotFit.Light)}\"><title>{Svg.Esc($"SOL at batch {f.Batch}: {Svg.Num(f.TokensPerSecondPerUser)} tok/s/user, {Svg.Num(f.TokensPerSecondPerGpu)} tok/s/GPU{(f.Fits ? "" : " (does not fit in HBM)")}")}</title></circle>");
                if (lastLabel is not { } l || Math.Abs(x - l.X) + Math.Abs(y - l.Y) > 40)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"<text class=\"batch-label\" x=\"{Svg.F(x + 6)}\" y=\"{Svg.F(y - 6)}\" fill=\"{ChartPalette.Frontier.Light}\" font-size=\"11\">B={f.Batch.ToString(CultureInfo.InvariantCulture)}</text>");
                    lastLabel = (x, y);
                }
            }
        }

        if (data.Kind == ReportKind.Sweep && measured.Length > 1)
        {
            var ordered = measured.OrderBy(p => p.Concurrency).ToArray();
            var d = string.Join(" ", ordered.Select((p, i) => (i == 0 ? "M" : "L") + Svg.F(frame.X(p.TokensPerSecondPerUser!.Value)) + " " + Svg.F(frame.Y(p.TokensPerSecondPerGpu!.Value))));
            sb.Append(CultureInfo.InvariantCulture, $"<path id=\"pareto-measured\" d=\"{d}\" fill=\"none\" stroke=\"{ChartPalette.Measured.Light}\" stroke-width=\"2\"/>");
        }

        sb.Append("<g id=\"pareto-points\">");
        var labelEvery = Math.Max(1, (int)Math.Ceiling(measured.Length / 12.0));
        for (var i = 0; i < measured.Length; i++)
        {
            var p = measured[i];
            var (x, y) = (frame.X(p.TokensPerSecondPerUser!.Value), frame.Y(p.TokensPerSecondPerGpu!.Value));
            var tip = $"{p.Label}: {Svg.Num(p.TokensPerSecondPerUser!.Value)} tok/s/user, {Svg.Num(p.TokensPerSecondPerGpu!.Value)} tok/s/GPU";
            sb.Append(CultureInfo.InvariantCulture, $"<circle class=\"measured-point\" data-label=\"{Svg.Esc(p.Label)}\" cx=\"{Svg.F(x)}\" cy=\"{Svg.F(y)}\" r=\"5\" fill=\"{ChartPalette.Measured.Light}\" stroke=\"#ffffff\" stroke-width=\"1.5\"><title>{Svg.Esc(tip)}</title></circle>");
            if (i % labelEvery == 0 || i == measured.Length - 1)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<text class=\"point-label\" x=\"{Svg.F(x + 7)}\" y=\"{Svg.F(y - 7)}\" font-size=\"11\">{Svg.Esc(p.Label)}</text>");
            }
        }

        sb.Append("</g>");
        var legendY = frame.Bottom - 40; // lower left: a decode frontier falls from the top left to the bottom right
        sb.Append(CultureInfo.InvariantCulture, $"<g font-size=\"12\"><line x1=\"{Svg.F(frame.Left + 14)}\" x2=\"{Svg.F(frame.Left + 39)}\" y1=\"{Svg.F(legendY)}\" y2=\"{Svg.F(legendY)}\" stroke=\"{ChartPalette.Frontier.Light}\" stroke-width=\"2.5\" stroke-dasharray=\"6 4\"/><text x=\"{Svg.F(frame.Left + 44)}\" y=\"{Svg.F(legendY + 4)}\">SOL frontier</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{Svg.F(frame.Left + 26)}\" cy=\"{Svg.F(legendY + 18)}\" r=\"5\" fill=\"{ChartPalette.Measured.Light}\"/><text x=\"{Svg.F(frame.Left + 44)}\" y=\"{Svg.F(legendY + 22)}\">measured{(data.Kind == ReportKind.Sweep ? " (by concurrency)" : " (valid windows)")}</text></g>");
        sb.Append("</svg>");
        return sb.ToString();
    }
}

/// <summary>The plot area of a log-log chart and its value-to-pixel mapping (y grows upwards).</summary>
internal sealed record LogFrame(double Left, double Top, double Right, double Bottom, double XLow, double XHigh, double YLow, double YHigh)
{
    public double X(double v) => Left + ((Math.Log10(v) - Math.Log10(XLow)) / (Math.Log10(XHigh) - Math.Log10(XLow)) * (Right - Left));

    public double Y(double v) => Bottom - ((Math.Log10(v) - Math.Log10(YLow)) / (Math.Log10(YHigh) - Math.Log10(YLow)) * (Bottom - Top));
}
