using ScottPlot;

namespace SolProfiler.Cli.Charts;

/// <summary>
/// The look every chart file shares: a sans-serif face like the status page's (DejaVu Sans where it is installed,
/// else ScottPlot's fallback), axis titles and ticks at the sizes a card shows, no bold shouting.
/// </summary>
public static class ChartStyle
{
    public const string FontName = "DejaVu Sans";

    public static Plot Apply(Plot plot)
    {
        ArgumentNullException.ThrowIfNull(plot);
        plot.Font.Set(FontName);
        foreach (var axis in new IAxis[] { plot.Axes.Bottom, plot.Axes.Left })
        {
            axis.Label.FontSize = 14;
            axis.Label.Bold = false;
            axis.TickLabelStyle.FontSize = 12;
        }

        plot.Legend.FontSize = 12;
        foreach (var text in plot.GetPlottables().OfType<ScottPlot.Plottables.Text>())
        {
            text.LabelFontName = FontName;
        }

        return plot;
    }
}
