using System.Globalization;
using SolProfiler.Sol;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Cli.Sol;

/// <summary>
/// The SOL Pareto frontier chart: tokens/s/user (interactivity) on x, tokens/s/GPU (throughput) on y,
/// one curve per TP degree, each point labelled by its batch; points that do not fit in memory are hollow.
/// </summary>
public static class ParetoChart
{
    public const int Width = 1000;
    public const int Height = 650;

    /// <summary>Writes the chart; with <paramref name="measured"/> (from <c>--compare</c>) the sweep's levels are drawn over it.</summary>
    public static void Save(string path, IReadOnlyList<SolRunner.Evaluation> evaluations, IReadOnlyList<Compare.ComparedLevel>? measured = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(evaluations);
        var ext = CheckPath(path);
        var plot = Build(evaluations);
        if (measured is not null)
        {
            AddMeasured(plot, measured);
        }

        try
        {
            if (ext == ".png")
            {
                plot.SavePng(path, Width, Height);
            }
            else
            {
                plot.SaveSvg(path, Width, Height);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DirectoryNotFoundException)
        {
            throw new SolInputException($"--pareto '{path}': cannot write ({e.Message})", e);
        }
    }

    /// <summary>Refuses a path that is not .png or .svg, or whose folder does not exist; returns the extension.</summary>
    public static string CheckPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is not (".png" or ".svg"))
        {
            throw new SolInputException($"--pareto '{path}': the file must end in .png or .svg");
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null && !Directory.Exists(folder))
        {
            throw new SolInputException($"--pareto '{path}': folder '{folder}' does not exist");
        }

        return ext;
    }

    /// <summary>The measured levels, joined in concurrency order and labelled c=N; empty levels are left out.</summary>
    private static void AddMeasured(ScottPlot.Plot plot, IReadOnlyList<Compare.ComparedLevel> measured)
    {
        var points = measured
            .Where(l => l.Measured.TokensPerSecondPerUser is not null && l.Measured.TokensPerSecondPerGpu is not null)
            .OrderBy(l => l.Measured.Concurrency)
            .ToArray();
        if (points.Length == 0)
        {
            return;
        }

        var color = ScottPlot.Colors.Black;
        var line = plot.Add.Scatter(points.Select(l => l.Measured.TokensPerSecondPerUser!.Value).ToArray(), points.Select(l => l.Measured.TokensPerSecondPerGpu!.Value).ToArray(), color);
        line.LegendText = "measured (sweep)";
        line.LineWidth = 2;
        line.LinePattern = ScottPlot.LinePattern.Dashed;
        line.MarkerShape = ScottPlot.MarkerShape.FilledSquare;
        line.MarkerSize = 9;
        foreach (var l in points)
        {
            var label = plot.Add.Text("c=" + l.Measured.Concurrency.ToString(CultureInfo.InvariantCulture), l.Measured.TokensPerSecondPerUser!.Value, l.Measured.TokensPerSecondPerGpu!.Value);
            label.LabelFontSize = 11;
            label.LabelFontColor = color;
            label.LabelOffsetX = 6;
            label.LabelOffsetY = -16;
        }

        plot.Axes.AutoScale();
        var limits = plot.Axes.GetLimits();
        plot.Axes.SetLimits(0, limits.Right * 1.12, 0, limits.Top * 1.1);
    }

    public static ScottPlot.Plot Build(IReadOnlyList<SolRunner.Evaluation> evaluations)
    {
        ArgumentNullException.ThrowIfNull(evaluations);
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var first = evaluations[0].Prepared.Configuration;
        var context = evaluations[0].Results[0].Context;
        var all = evaluations.SelectMany(e => e.Results).ToArray();
        var xSpan = Math.Max(all.Max(r => r.TokensPerSecondPerUser), 1e-9);
        var ySpan = Math.Max(all.Max(r => r.TokensPerSecondPerGpu), 1e-9);
        for (var i = 0; i < evaluations.Count; i++)
        {
            var e = evaluations[i];
            var color = palette.GetColor(i);
            var points = e.Results.OrderBy(r => r.Batch).ToArray();
            var line = plot.Add.Scatter(points.Select(r => r.TokensPerSecondPerUser).ToArray(), points.Select(r => r.TokensPerSecondPerGpu).ToArray(), color);
            line.LegendText = $"SOL, TP {e.Results[0].Tp}" + (e.Results[0].Pp > 1 ? $" PP {e.Results[0].Pp}" : "");
            line.LineWidth = 2;
            line.MarkerSize = 8;
            (double X, double Y)? lastLabel = null;
            foreach (var r in points.Reverse())
            {
                if (!r.Fits)
                {
                    var hollow = plot.Add.Marker(r.TokensPerSecondPerUser, r.TokensPerSecondPerGpu, ScottPlot.MarkerShape.OpenCircle, 16, ScottPlot.Colors.Red);
                    hollow.LegendText = "";
                }

                // Small batches crowd together near the x axis: label a point only when it stands clear of the last label.
                var (x, y) = (r.TokensPerSecondPerUser / xSpan, r.TokensPerSecondPerGpu / ySpan);
                if (lastLabel is { } l && Math.Abs(x - l.X) < 0.05 && Math.Abs(y - l.Y) < 0.03)
                {
                    continue;
                }

                lastLabel = (x, y);
                var label = plot.Add.Text("B=" + r.Batch.ToString(CultureInfo.InvariantCulture), r.TokensPerSecondPerUser, r.TokensPerSecondPerGpu);
                label.LabelFontSize = 11;
                label.LabelFontColor = color;
                label.LabelOffsetX = 6;
                label.LabelOffsetY = -14;
            }
        }

        if (evaluations.Count > 1)
        {
            // The envelope over every TP: the best throughput reachable at each interactivity, whichever TP gives it
            // (only points that fit in HBM can be run).
            var frontier = ParetoFrontier.NonDominated(all.Where(r => r.Fits).Select(r => new ParetoPoint(r.Batch, r.Tp, r.TokensPerSecondPerUser, r.TokensPerSecondPerGpu, r.Fits)));
            var envelope = plot.Add.Scatter(frontier.Select(p => p.TokensPerSecondPerUser).ToArray(), frontier.Select(p => p.TokensPerSecondPerGpu).ToArray(), ScottPlot.Colors.Black.WithAlpha(0.6));
            envelope.LineWidth = 6;
            envelope.LinePattern = ScottPlot.LinePattern.Dotted;
            envelope.MarkerSize = 0;
            envelope.LegendText = "SOL frontier over all TP";
        }

        if (all.Any(r => !r.Fits))
        {
            var legendOnly = plot.Add.Marker(double.NaN, double.NaN, ScottPlot.MarkerShape.OpenCircle, 16, ScottPlot.Colors.Red);
            legendOnly.LegendText = "does not fit in HBM";
        }

        var precisions = evaluations[0].Prepared.Precisions;
        plot.Title($"SOL decode frontier: {first.Model.Id} on {first.Gpu.Id}, {PrecisionFacts.Name(precisions.Weights)} weights, {PrecisionFacts.Name(precisions.Kv)} KV, context {context.ToString("N0", CultureInfo.InvariantCulture)}");
        plot.XLabel("tokens/s per user (interactivity)");
        plot.YLabel("tokens/s per GPU (throughput)");
        // Both axes start at zero so distances between curves read as ratios.
        plot.Axes.AutoScale();
        var limits = plot.Axes.GetLimits();
        plot.Axes.SetLimits(0, limits.Right * 1.12, 0, limits.Top * 1.1);
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        return plot;
    }
}
