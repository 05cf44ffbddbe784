using ScottPlot;
using SolProfiler.Analysis.Presentation;

namespace SolProfiler.Cli.Charts;

/// <summary>One point of a Pareto chart: interactivity, throughput, an optional label (B=8, c=4), and whether it fits in memory.</summary>
public sealed record ParetoMark(double TokensPerSecondPerUser, double TokensPerSecondPerGpu, string? Label = null, bool Fits = true);

/// <summary>A curve or a set of points on the chart, with its legend.</summary>
public sealed record ParetoSeries(string Legend, IReadOnlyList<ParetoMark> Points);

/// <summary>What one Pareto chart shows: SOL curves (one per TP), the envelope over them, and measured points.</summary>
public sealed record ParetoChartData(string Title, IReadOnlyList<ParetoSeries> Frontiers, ParetoSeries? Envelope = null, ParetoSeries? Measured = null, bool JoinMeasured = false);

/// <summary>
/// The Pareto chart of every file the CLI writes (<c>sol --pareto</c>, <c>report</c>'s PNG): tokens/s per user on x,
/// tokens/s per GPU on y, both logarithmic as on the status page and in the HTML report (a decode frontier spans
/// decades in both, and equal distances read as equal ratios). Each SOL curve joins all its batch points, labelled
/// B=N where they stand clear; hollow markers do not fit in HBM; measured points sit on top.
/// </summary>
public static class ParetoPlot
{
    public static Plot Build(ParetoChartData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var plot = new Plot();
        var all = data.Frontiers.SelectMany(f => f.Points).Concat(data.Measured?.Points ?? []).Where(Drawable).ToArray();
        for (var i = 0; i < data.Frontiers.Count; i++)
        {
            AddFrontier(plot, data.Frontiers[i], Color.FromHex(ChartPalette.Curves[i % ChartPalette.Curves.Count]));
        }

        if (data.Envelope is { Points.Count: > 1 } envelope)
        {
            var line = Scatter(plot, envelope.Points, Colors.Black.WithAlpha(0.6));
            line.LineWidth = 6;
            line.LinePattern = LinePattern.Dotted;
            line.MarkerSize = 0;
            line.LegendText = envelope.Legend;
        }

        if (data.Frontiers.Any(f => f.Points.Any(p => !p.Fits)))
        {
            var legendOnly = plot.Add.Marker(double.NaN, double.NaN, MarkerShape.OpenCircle, 16, Color.FromHex(ChartPalette.DoesNotFit.Light));
            legendOnly.LegendText = ChartPalette.DoesNotFit.Name;
        }

        if (data.Measured is { } measured && measured.Points.Any(Drawable))
        {
            AddMeasured(plot, measured, data.JoinMeasured);
        }

        if (data.Title.Length > 0)
        {
            plot.Title(data.Title);
        }

        plot.XLabel("tokens/s per user (interactivity, log scale)");
        plot.YLabel("tokens/s per GPU (throughput, log scale)");
        if (all.Length > 0)
        {
            // The same padding and ticks as the status page: room for the labels, which sit up and to the right of their points.
            var (x0, x1) = (all.Min(p => p.TokensPerSecondPerUser) / 1.4, all.Max(p => p.TokensPerSecondPerUser) * 1.8);
            var (y0, y1) = (all.Min(p => p.TokensPerSecondPerGpu) / 1.4, all.Max(p => p.TokensPerSecondPerGpu) * 1.5);
            plot.Axes.SetLimits(Math.Log10(x0), Math.Log10(x1), Math.Log10(y0), Math.Log10(y1));
            plot.Axes.Bottom.TickGenerator = Ticks(x0, x1);
            plot.Axes.Left.TickGenerator = Ticks(y0, y1);
        }

        // A decode frontier falls from the top left to the bottom right: the lower left corner is empty.
        plot.ShowLegend(Alignment.LowerLeft);
        return ChartStyle.Apply(plot);
    }

    private static bool Drawable(ParetoMark p) =>
        p.TokensPerSecondPerUser > 0 && p.TokensPerSecondPerGpu > 0 && double.IsFinite(p.TokensPerSecondPerUser) && double.IsFinite(p.TokensPerSecondPerGpu);

    private static ScottPlot.Plottables.Scatter Scatter(Plot plot, IEnumerable<ParetoMark> points, Color color)
    {
        var drawn = points.Where(Drawable).ToArray();
        return plot.Add.Scatter(drawn.Select(p => Math.Log10(p.TokensPerSecondPerUser)).ToArray(), drawn.Select(p => Math.Log10(p.TokensPerSecondPerGpu)).ToArray(), color);
    }

    private static void AddFrontier(Plot plot, ParetoSeries series, Color color)
    {
        var points = series.Points.Where(Drawable).ToArray();
        var line = Scatter(plot, points, color);
        line.LegendText = series.Legend;
        line.LineWidth = 2.5f;
        line.MarkerSize = 6;
        (double X, double Y)? lastLabel = null;
        foreach (var p in points.Reverse())
        {
            var (x, y) = (Math.Log10(p.TokensPerSecondPerUser), Math.Log10(p.TokensPerSecondPerGpu));
            if (!p.Fits)
            {
                plot.Add.Marker(x, y, MarkerShape.OpenCircle, 16, Color.FromHex(ChartPalette.DoesNotFit.Light)).LegendText = "";
            }

            // Small batches crowd together: label a point only when it stands clear of the last label (in decades).
            if (p.Label is null || (lastLabel is { } l && Math.Abs(x - l.X) < 0.12 && Math.Abs(y - l.Y) < 0.12))
            {
                continue;
            }

            lastLabel = (x, y);
            Label(plot, p.Label, x, y, color, -14);
        }
    }

    private static void AddMeasured(Plot plot, ParetoSeries series, bool join)
    {
        var color = Color.FromHex(ChartPalette.Measured.Light);
        var points = series.Points.Where(Drawable).ToArray();
        var line = Scatter(plot, points, color);
        line.LegendText = series.Legend;
        line.LineWidth = join ? 2 : 0;
        line.LinePattern = LinePattern.Dashed;
        line.MarkerShape = MarkerShape.FilledCircle;
        line.MarkerSize = 9;
        var every = Math.Max(1, (int)Math.Ceiling(points.Length / 12.0));
        for (var i = 0; i < points.Length; i++)
        {
            if (points[i].Label is { } text && (i % every == 0 || i == points.Length - 1))
            {
                Label(plot, text, Math.Log10(points[i].TokensPerSecondPerUser), Math.Log10(points[i].TokensPerSecondPerGpu), color, -16);
            }
        }
    }

    private static void Label(Plot plot, string text, double x, double y, Color color, float offsetY)
    {
        var label = plot.Add.Text(text, x, y);
        label.LabelFontSize = 11;
        label.LabelFontColor = color;
        label.LabelOffsetX = 6;
        label.LabelOffsetY = offsetY;
    }

    /// <summary>A log10 axis's ticks (<see cref="LogTicks"/>): labelled majors, unlabelled minors.</summary>
    private static ScottPlot.TickGenerators.NumericManual Ticks(double low, double high)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (var (value, labelled) in LogTicks.Between(low, high))
        {
            if (labelled)
            {
                ticks.AddMajor(Math.Log10(value), LogTicks.Compact(value));
            }
            else
            {
                ticks.AddMinor(Math.Log10(value));
            }
        }

        return ticks;
    }
}
