using ScottPlot;
using SolProfiler.Cli.Charts;
using SolProfiler.Analysis.Presentation;

namespace SolProfiler.Cli.Report;

/// <summary>The report's charts as PNG files (ScottPlot): pareto.png, efficiency.png, and causes.png where the input has causes.</summary>
public static class PngCharts
{
    public const int Width = 1000;
    public const int Height = 600;

    /// <summary>Writes the charts into <paramref name="folder"/> (created if missing) and returns the paths written.</summary>
    public static IReadOnlyList<string> Save(ReportData data, string folder)
    {
        ArgumentNullException.ThrowIfNull(data);
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        void Write(string name, Plot plot)
        {
            var path = System.IO.Path.Combine(folder, name);
            plot.SavePng(path, Width, Height);
            written.Add(path);
        }

        Write("pareto.png", Pareto(data));
        Write("efficiency.png", Efficiency(data));
        if (data.Points.Any(p => p.Causes is not null))
        {
            Write("causes.png", Causes(data));
        }

        return written;
    }

    /// <summary>The report's Pareto chart, by the CLI's one Pareto chart (<see cref="ParetoPlot"/>).</summary>
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
            data.Title,
            frontier.Length > 0 ? [new ParetoSeries("SOL frontier", frontier)] : [],
            Measured: points.Length > 0 ? new ParetoSeries(data.Kind == ReportKind.Sweep ? "measured (by concurrency)" : "measured (valid windows)", points) : null,
            JoinMeasured: data.Kind == ReportKind.Sweep));
    }

    public static Plot Efficiency(ReportData data)
    {
        var plot = new Plot();
        var bars = new List<Bar>();
        for (var i = 0; i < data.Points.Count; i++)
        {
            var p = data.Points[i];
            if (p.HasData && p.Efficiency is { } e)
            {
                bars.Add(new Bar { Position = i, Value = e * 100, FillColor = Color.FromHex(ChartPalette.Sol.Light) });
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
        plot.Title(data.Kind == ReportKind.Sweep ? "Efficiency by concurrency level" : "Efficiency over time");
        return plot;
    }

    public static Plot Causes(ReportData data)
    {
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
            foreach (var (_, color, value) in BarChartSvg.Stack(p))
            {
                bars.Add(new Bar { Position = i, ValueBase = bottom, Value = bottom + (value * 1000), FillColor = Color.FromHex(color) });
                bottom += value * 1000;
            }
        }

        plot.Add.Bars(bars);
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "SOL step", FillColor = Color.FromHex(ChartPalette.Sol.Light) });
        foreach (var (_, name, color, _) in ChartPalette.Causes)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = name, FillColor = Color.FromHex(color) });
        }

        Finish(plot, data, "measured step (ms)", data.Points.Where(p => p.Causes is not null).Select(p => BarChartSvg.Stack(p).Sum(s => s.Value)).DefaultIfEmpty(0).Max() * 1000);
        plot.Title("Measured step: SOL step + gap causes");
        return plot;
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
    }
}
