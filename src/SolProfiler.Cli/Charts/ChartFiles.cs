using System.Text.RegularExpressions;
using ScottPlot;

namespace SolProfiler.Cli.Charts;

/// <summary>Where a chart goes: a PNG or SVG file, or inline SVG in an HTML page. One drawing (ScottPlot) for all three.</summary>
public static partial class ChartFiles
{
    public static void Save(Plot plot, string path, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(plot);
        ArgumentNullException.ThrowIfNull(path);
        if (Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase))
        {
            Solid(plot).SaveSvg(path, width, height);
        }
        else
        {
            plot.SavePng(path, width, height);
        }
    }

    /// <summary>
    /// The chart as an <c>&lt;svg&gt;</c> element for an HTML page: with an id, a viewBox so it scales to its card
    /// (width 100 %, the aspect kept), and an accessible name; without the XML declaration a file starts with.
    /// </summary>
    public static string InlineSvg(Plot plot, int width, int height, string id, string label, int? maxWidth = null)
    {
        ArgumentNullException.ThrowIfNull(plot);
        var svg = Solid(plot).GetSvgXml(width, height);
        var start = svg.IndexOf("<svg", StringComparison.Ordinal);
        var open = SvgStart().Match(svg, start);
        var attributes = $"<svg id=\"{id}\" viewBox=\"0 0 {width} {height}\" width=\"100%\"{(maxWidth is { } m ? $" style=\"max-width:{m}px\"" : "")} role=\"img\" aria-label=\"{System.Net.WebUtility.HtmlEncode(label)}\" xmlns=\"http://www.w3.org/2000/svg\">";
        return attributes + svg[(open.Index + open.Length)..].Trim();
    }

    /// <summary>
    /// Skia's SVG canvas cannot draw dashes: it draws the line solid and prints "Unsupported path effect" on stderr
    /// for each one, into the user's terminal. The lines are made solid before, so the picture is the same and quiet.
    /// </summary>
    private static Plot Solid(Plot plot)
    {
        foreach (var line in plot.GetPlottables().OfType<IHasLine>())
        {
            line.LinePattern = LinePattern.Solid;
        }

        return plot;
    }

    [GeneratedRegex("<svg\\b[^>]*>")]
    private static partial Regex SvgStart();
}
