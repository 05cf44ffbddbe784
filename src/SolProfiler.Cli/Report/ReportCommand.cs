using System.CommandLine;
using System.Globalization;
using SolProfiler.Sol;

namespace SolProfiler.Cli.Report;

/// <summary>
/// <c>solprof report INPUT -o report.html [--png DIR] [--point N]</c>: a self-contained HTML report from a sweep result
/// or an agent recording. Wrong-kind or missing input, or a bad option, prints one line and exits 2.
/// </summary>
public static class ReportCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        _ = stderr;
        var input = new Argument<string>("input") { Description = "A sweep result (results.json from solprof sweep) or an agent recording (JSON lines from solprof agent --record)" };
        var output = new Option<string>("--output", "-o") { Description = "The HTML file to write", Required = true };
        var png = new Option<string?>("--png") { Description = "Also write each chart as PNG into this folder (pareto.png, efficiency.png, causes.png where the input has causes, donut.png at --point)" };
        var point = new Option<int?>("--point") { Description = "Level (or window) index for the SOL donut; default: the highest-throughput one" };
        var command = new Command("report", "Write an HTML report (Pareto chart against SOL, efficiency, gap causes, latency) from a sweep or a recording")
        {
            input, output, png, point,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            var data = ReportInputReader.Read(parse.GetValue(input)!);
            if (data.Points.Count == 0)
            {
                throw new SolInputException($"report: '{data.SourceFile}' holds no levels or windows");
            }

            var index = parse.GetValue(point) ?? DefaultPoint(data);
            if (index < 0 || index >= data.Points.Count)
            {
                throw new SolInputException($"--point {index.ToString(CultureInfo.InvariantCulture)}: the input has points 0..{(data.Points.Count - 1).ToString(CultureInfo.InvariantCulture)}");
            }

            var html = HtmlReport.Render(data, index);
            var path = parse.GetValue(output)!;
            try
            {
                await File.WriteAllTextAsync(path, html, cancellationToken).ConfigureAwait(false);
                await stdout.WriteLineAsync($"wrote {path}").ConfigureAwait(false);
                if (parse.GetValue(png) is { } folder)
                {
                    foreach (var written in PngCharts.Save(data, index, folder))
                    {
                        await stdout.WriteLineAsync($"wrote {written}").ConfigureAwait(false);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new SolInputException($"report: cannot write ({e.Message})", e);
            }

            return CliApp.ExitOk;
        });
        return command;
    }

    /// <summary>The point with the highest measured tokens/s per GPU, else the first.</summary>
    public static int DefaultPoint(ReportData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var best = data.Points.Select((p, i) => (p, i)).Where(x => x.p.HasData).OrderByDescending(x => x.p.TokensPerSecondPerGpu).FirstOrDefault();
        return best.p is null ? 0 : best.i;
    }
}
