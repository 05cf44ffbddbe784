using System.Globalization;
using SolProfiler.Cli.Charts;
using SolProfiler.Sol;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Cli.Sol;

/// <summary>
/// <c>sol --pareto</c>: the SOL Pareto frontier as a PNG or SVG file, drawn by the CLI's one Pareto chart
/// (<see cref="ParetoPlot"/>): one curve per TP degree, each point labelled by its batch; points that do not fit in
/// memory are hollow.
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
        var plot = Build(evaluations, measured);

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

    /// <summary>The SOL curves (one per TP, each point labelled by its batch), their envelope over TP, and the sweep's levels.</summary>
    public static ScottPlot.Plot Build(IReadOnlyList<SolRunner.Evaluation> evaluations, IReadOnlyList<Compare.ComparedLevel>? measured = null)
    {
        ArgumentNullException.ThrowIfNull(evaluations);
        var first = evaluations[0].Prepared.Configuration;
        var context = evaluations[0].Results[0].Context;
        var all = evaluations.SelectMany(e => e.Results).ToArray();
        var curves = evaluations.Select(e => new ParetoSeries(
            $"SOL, TP {e.Results[0].Tp}" + (e.Results[0].Pp > 1 ? $" PP {e.Results[0].Pp}" : ""),
            e.Results.OrderBy(r => r.Batch).Select(r => new ParetoMark(r.TokensPerSecondPerUser, r.TokensPerSecondPerGpu, "B=" + r.Batch.ToString(CultureInfo.InvariantCulture), r.Fits)).ToArray())).ToArray();

        // The envelope over every TP: the best throughput reachable at each interactivity, whichever TP gives it (only
        // points that fit in HBM can be run).
        var envelope = evaluations.Count > 1
            ? new ParetoSeries("SOL frontier over all TP", ParetoFrontier.NonDominated(all.Where(r => r.Fits).Select(r => new ParetoPoint(r.Batch, r.Tp, r.TokensPerSecondPerUser, r.TokensPerSecondPerGpu, r.Fits)))
                .Select(p => new ParetoMark(p.TokensPerSecondPerUser, p.TokensPerSecondPerGpu)).ToArray())
            : null;
        var levels = measured?
            .Where(l => l.Measured.TokensPerSecondPerUser is not null && l.Measured.TokensPerSecondPerGpu is not null)
            .OrderBy(l => l.Measured.Concurrency)
            .Select(l => new ParetoMark(l.Measured.TokensPerSecondPerUser!.Value, l.Measured.TokensPerSecondPerGpu!.Value, "c=" + l.Measured.Concurrency.ToString(CultureInfo.InvariantCulture)))
            .ToArray();
        var precisions = evaluations[0].Prepared.Precisions;
        var title = $"SOL decode frontier: {first.Model.Id} on {first.Gpu.Id}, {PrecisionFacts.Name(precisions.Weights)} weights, {PrecisionFacts.Name(precisions.Kv)} KV, context {context.ToString("N0", CultureInfo.InvariantCulture)}";
        return ParetoPlot.Build(new ParetoChartData(title, curves, envelope, levels is null ? null : new ParetoSeries("measured (sweep)", levels), JoinMeasured: true));
    }
}
