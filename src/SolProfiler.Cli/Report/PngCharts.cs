using ScottPlot;
using SolProfiler.Cli.Charts;

namespace SolProfiler.Cli.Report;

/// <summary>The report's charts as PNG files: pareto.png, efficiency.png, causes.png where the input has causes, and donut.png at the chosen point (drawn by <see cref="ReportPlots"/>, as the HTML's are).</summary>
public static class PngCharts
{
    public const int Width = 1000;
    public const int Height = 600;

    /// <summary>Writes the charts into <paramref name="folder"/> (created if missing) and returns the paths written.</summary>
    public static IReadOnlyList<string> Save(ReportData data, int pointIndex, string folder)
    {
        ArgumentNullException.ThrowIfNull(data);
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        void Write(string name, Plot plot)
        {
            var path = System.IO.Path.Combine(folder, name);
            ChartFiles.Save(plot, path, Width, Height);
            written.Add(path);
        }

        // A file stands alone, so it carries the title the HTML gives its cards.
        static Plot Titled(Plot plot, string title)
        {
            plot.Title(title);
            return plot;
        }

        Write("pareto.png", Titled(ReportPlots.Pareto(data), data.Title));
        Write("efficiency.png", Titled(ReportPlots.Efficiency(data), data.Kind == ReportKind.Sweep ? "Efficiency by concurrency level" : "Efficiency over time"));
        if (data.Points.Any(p => p.Causes is not null))
        {
            Write("causes.png", Titled(ReportPlots.Causes(data), "Measured step: SOL step + gap causes"));
        }

        if (ReportPlots.Donut(data.Points[pointIndex]) is { } donut)
        {
            // Square, as it is drawn, with the legend the HTML puts in a table beside it.
            donut.ShowLegend(Alignment.MiddleRight);
            var path = System.IO.Path.Combine(folder, "donut.png");
            ChartFiles.Save(Titled(donut, $"SOL step at {data.Points[pointIndex].Label}"), path, Height, Height * 3 / 4);
            written.Add(path);
        }

        return written;
    }
}
