using System.Globalization;
using System.Net;
using System.Text;

namespace SolProfiler.Cli.Report;

/// <summary>Small helpers for hand-built inline SVG: escaped text, invariant numbers, axis ticks.</summary>
internal static class Svg
{
    public static string Esc(string? text) => WebUtility.HtmlEncode(text ?? "");

    public static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Round tick values from 0 up to at least <paramref name="max"/>, about <paramref name="count"/> of them.</summary>
    public static double[] Ticks(double max, int count = 5)
    {
        if (!(max > 0) || !double.IsFinite(max))
        {
            max = 1;
        }

        var raw = max / count;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1.0, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        var ticks = new List<double>();
        for (var v = 0.0; v < max + step * 0.999; v += step)
        {
            ticks.Add(v);
        }

        return [.. ticks];
    }

    public static string Num(double v) => Math.Abs(v) switch
    {
        >= 10_000 => v.ToString("#,0", CultureInfo.InvariantCulture),
        >= 100 => v.ToString("0", CultureInfo.InvariantCulture),
        >= 10 => v.ToString("0.#", CultureInfo.InvariantCulture),
        _ => v.ToString("0.##", CultureInfo.InvariantCulture),
    };

    /// <summary>Horizontal grid lines with y-axis labels, and the axis titles.</summary>
    public static void Axes(StringBuilder sb, ChartFrame frame, double[] yTicks, Func<double, string> yText, string xTitle, string yTitle)
    {
        foreach (var t in yTicks)
        {
            var y = frame.Y(t);
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(frame.Left)}\" x2=\"{F(frame.Right)}\" y1=\"{F(y)}\" y2=\"{F(y)}\" stroke=\"var(--grid)\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(frame.Left - 6)}\" y=\"{F(y + 4)}\" text-anchor=\"end\" class=\"muted\" font-size=\"11\">{Esc(yText(t))}</text>");
        }

        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(frame.Left)}\" x2=\"{F(frame.Right)}\" y1=\"{F(frame.Bottom)}\" y2=\"{F(frame.Bottom)}\" stroke=\"var(--muted)\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F((frame.Left + frame.Right) / 2)}\" y=\"{F(frame.Height - 6)}\" text-anchor=\"middle\" class=\"muted\" font-size=\"12\">{Esc(xTitle)}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(14 {F((frame.Top + frame.Bottom) / 2)}) rotate(-90)\" text-anchor=\"middle\" class=\"muted\" font-size=\"12\">{Esc(yTitle)}</text>");
    }
}

/// <summary>The plot area of a chart and its value-to-pixel mapping (y grows upwards).</summary>
internal sealed record ChartFrame(double Width, double Height, double Left, double Top, double Right, double Bottom, double XMax, double YMax)
{
    public double X(double v) => Left + (v / XMax * (Right - Left));

    public double Y(double v) => Bottom - (v / YMax * (Bottom - Top));
}
