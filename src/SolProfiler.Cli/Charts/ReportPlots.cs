using ScottPlot;
using SolProfiler.Analysis.Presentation;
using SolProfiler.Cli.Report;

namespace SolProfiler.Cli.Charts;

/// <summary>
/// The report's other charts, drawn once for its HTML (inline SVG) and its PNGs: efficiency per point, the measured
/// step stacked as SOL step plus the gap's causes, and the SOL step's donut at one point. Colours from the one palette.
/// </summary>
public static class ReportPlots
{
    /// <summary>The report's Pareto chart, by the CLI's one Pareto chart (<see cref="ParetoPlot"/>), without a title: the card or the file name says what it is.</summary>
    public static Plot Pareto(ReportData data)
    {
        var frontier = data.Frontier.Select(f => new ParetoMark(f.TokensPerSecondPerUser, f.TokensPerSecondPerGpu, "B=" + f.Batch.ToString(System.Globalization.CultureInfo.InvariantCulture), f.Fits)).ToArray();
        var measured = data.Points.Where(p => p.HasData);
        if (data.Kind == ReportKind.Sweep)
        {
            measured = measured.OrderBy(p => p.Concurrency);
        }

        var points = measured.Select(p => new ParetoMark(p.TokensPerSecondPerUser!.Value, p.TokensPerSecondPerGpu!.Value, p.Label)).ToArray();
        return ParetoPlot.Build(new ParetoChartData(
            string.Empty,
            frontier.Length > 0 ? [new ParetoSeries("SOL frontier", frontier)] : [],
            Measured: points.Length > 0 ? new ParetoSeries(data.Kind == ReportKind.Sweep ? "measured (by concurrency)" : "measured (valid windows)", points) : null,
            JoinMeasured: data.Kind == ReportKind.Sweep));
    }

    public static Plot Efficiency(ReportData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var plot = new Plot();
        var bars = new List<Bar>();
        for (var i = 0; i < data.Points.Count; i++)
        {
            var p = data.Points[i];
            if (p.HasData && p.Efficiency is { } e)
            {
                bars.Add(new Bar { Position = i, Value = e * 100, FillColor = Color.FromHex(ChartPalette.Sol.Light), LineWidth = 0 });
            }
            else
            {
                NoData(plot, i);
            }
        }

        plot.Add.Bars(bars);
        var sol = plot.Add.HorizontalLine(100, 1.5f, Color.FromHex(ChartPalette.Sol.Light), LinePattern.Dashed);
        sol.LegendText = "SOL";
        Finish(plot, data, "efficiency (% of SOL)", Math.Max(100, data.Points.Select(p => p.Efficiency ?? 0).DefaultIfEmpty(0).Max() * 100));
        return plot;
    }

    public static Plot Causes(ReportData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var plot = new Plot();
        var bars = new List<Bar>();
        for (var i = 0; i < data.Points.Count; i++)
        {
            var p = data.Points[i];
            if (!p.HasData || p.Causes is null)
            {
                NoData(plot, i);
                continue;
            }

            var bottom = 0.0;
            foreach (var (_, color, value) in Stack(p))
            {
                if (value > 0)
                {
                    bars.Add(new Bar { Position = i, ValueBase = bottom, Value = bottom + (value * 1000), FillColor = Color.FromHex(color), LineWidth = 0 });
                    bottom += value * 1000;
                }
            }
        }

        plot.Add.Bars(bars);
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = ChartPalette.Sol.Name, FillColor = Color.FromHex(ChartPalette.Sol.Light), LineWidth = 0 });
        foreach (var cause in ChartPalette.Causes)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = cause.Name, FillColor = Color.FromHex(cause.Light) });
        }

        Finish(plot, data, "step (ms)", data.Points.Where(p => p.Causes is not null).Select(p => Stack(p).Sum(s => s.Value)).DefaultIfEmpty(0).Max() * 1000);
        return plot;
    }

    /// <summary>The SOL step's shares by component at one point, the bound in the middle; null without a SOL there.</summary>
    public static Plot? Donut(ReportPoint point)
    {
        ArgumentNullException.ThrowIfNull(point);
        if (point.SolShares is not { Count: > 0 } shares)
        {
            return null;
        }

        var plot = new Plot();
        var slices = ChartPalette.Components
            .Select(c => (c, Value: shares.TryGetValue(c.Key, out var v) ? Math.Max(0, v) : 0))
            .Where(s => s.Value > 0)
            .Select(s => new PieSlice { Value = s.Value, FillColor = Color.FromHex(s.c.Light), LegendText = s.c.Name })
            .ToList();
        var pie = plot.Add.Pie(slices);
        pie.DonutFraction = 0.62;
        pie.LineColor = Colors.White;
        pie.LineWidth = 1.5f;
        var bound = plot.Add.Text(point.SolBound ?? "?", 0, 0.08);
        bound.LabelFontSize = 18;
        bound.LabelBold = true;
        bound.LabelAlignment = Alignment.MiddleCenter;
        if (point.SolStepSeconds is { } step)
        {
            var seconds = plot.Add.Text(HtmlReport.Ms(step), 0, -0.16);
            seconds.LabelFontSize = 12;
            seconds.LabelFontColor = Colors.Gray;
            seconds.LabelAlignment = Alignment.MiddleCenter;
        }

        plot.Axes.Frameless();
        plot.HideGrid();
        plot.HideLegend(); // the table beside it is the legend, with the shares and seconds
        plot.Axes.SquareUnits();
        return ChartStyle.Apply(plot);
    }

    /// <summary>The measured step split into the SOL step and each cause's seconds, in stacking order, with their colours.</summary>
    public static IEnumerable<(string Name, string Color, double Value)> Stack(ReportPoint p)
    {
        ArgumentNullException.ThrowIfNull(p);
        yield return (ChartPalette.Sol.Name, ChartPalette.Sol.Light, p.SolStepSeconds ?? 0);
        foreach (var cause in ChartPalette.Causes)
        {
            yield return (cause.Name, cause.Light, p.Causes is { } c && c.TryGetValue(cause.Key, out var v) ? Math.Max(0, v) : 0);
        }
    }

    private static void NoData(Plot plot, int position)
    {
        var text = plot.Add.Text("no data", position, 0);
        text.LabelFontSize = 12;
        text.LabelFontColor = Colors.Gray;
        text.LabelRotation = -90;
        text.LabelAlignment = Alignment.MiddleLeft;
    }

    private static void Finish(Plot plot, ReportData data, string yLabel, double yMax)
    {
        var positions = Enumerable.Range(0, data.Points.Count).Select(i => (double)i).ToArray();
        var every = Math.Max(1, (int)Math.Ceiling(data.Points.Count / 16.0));
        var labels = data.Points.Select((p, i) => i % every == 0 ? p.Label : "").ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
        plot.XLabel(data.Kind == ReportKind.Sweep ? "concurrency level" : "window (UTC)");
        plot.YLabel(yLabel);
        plot.Axes.SetLimits(-0.6, Math.Max(0, data.Points.Count - 1) + 0.6, 0, Math.Max(yMax, 1) * 1.15);
        plot.ShowLegend(Alignment.UpperRight);
        ChartStyle.Apply(plot);
    }
}
