using ScottPlot;

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

    public static Plot Pareto(ReportData data)
    {
        var plot = new Plot();
        if (data.Frontier.Count > 0)
        {
            var sol = plot.Add.Scatter(data.Frontier.Select(f => f.TokensPerSecondPerUser).ToArray(), data.Frontier.Select(f => f.TokensPerSecondPerGpu).ToArray(), Color.FromHex(ReportColors.Frontier));
            sol.LineWidth = 2.5f;
            sol.LinePattern = LinePattern.Dashed;
            sol.MarkerSize = 0;
            sol.LegendText = "SOL frontier";
        }

        var measured = data.Points.Where(p => p.HasData).ToArray();
        if (data.Kind == ReportKind.Sweep)
        {
            measured = [.. measured.OrderBy(p => p.Concurrency)];
        }

        if (measured.Length > 0)
        {
            var color = Color.FromHex(ReportColors.Measured);
            var line = plot.Add.Scatter(measured.Select(p => p.TokensPerSecondPerUser!.Value).ToArray(), measured.Select(p => p.TokensPerSecondPerGpu!.Value).ToArray(), color);
            line.LineWidth = data.Kind == ReportKind.Sweep ? 2 : 0;
            line.MarkerSize = 9;
            line.LegendText = data.Kind == ReportKind.Sweep ? "measured (by concurrency)" : "measured (valid windows)";
            var every = Math.Max(1, (int)Math.Ceiling(measured.Length / 12.0));
            for (var i = 0; i < measured.Length; i += every)
            {
                var label = plot.Add.Text(measured[i].Label, measured[i].TokensPerSecondPerUser!.Value, measured[i].TokensPerSecondPerGpu!.Value);
                label.LabelFontSize = 12;
                label.LabelFontColor = color;
                label.LabelOffsetX = 6;
                label.LabelOffsetY = -16;
            }
        }

        plot.Title(data.Title);
        plot.XLabel("tokens/s per user (interactivity)");
        plot.YLabel("tokens/s per GPU (throughput)");
        plot.Axes.AutoScale();
        var limits = plot.Axes.GetLimits();
        plot.Axes.SetLimits(0, limits.Right * 1.1, 0, limits.Top * 1.1);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
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
                bars.Add(new Bar { Position = i, Value = e * 100, FillColor = Color.FromHex(ReportColors.Sol) });
            }
            else
            {
                NoData(plot, i);
            }
        }

        plot.Add.Bars(bars);
        var sol = plot.Add.HorizontalLine(100, 1.5f, Color.FromHex(ReportColors.Sol), LinePattern.Dashed);
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
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "SOL step", FillColor = Color.FromHex(ReportColors.Sol) });
        foreach (var (_, name, color) in ReportColors.Causes)
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
