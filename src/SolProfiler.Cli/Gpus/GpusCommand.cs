using System.CommandLine;
using SolProfiler.Agent.Sources;
using SolProfiler.Cli.Common;
using SolProfiler.Cli.Options;
using SolProfiler.Cli.Sol;
using SolProfiler.Sol;
using SolProfiler.Sol.Hardware;
using SolProfiler.Telemetry.Gpu;
using Spectre.Console;

namespace SolProfiler.Cli.Gpus;

/// <summary>
/// <c>solprof gpus</c>: lists the GPUs a backend sees, the catalog GPU each maps to, and one sample (or a refreshing
/// view with <c>--watch</c>). A backend that is down prints its reason and exits 1; bad arguments exit 2.
/// </summary>
public static class GpusCommand
{
    public const int ExitBackendDown = 1;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var gpuSource = new GpuSourceOptions(GpuBackendKind.Auto, new Dictionary<GpuSourceSetting, string[]>
        {
            [GpuSourceSetting.Backend] = ["--backend"],
            [GpuSourceSetting.Library] = ["--library"],
            [GpuSourceSetting.ExporterUrl] = ["--url"],
            [GpuSourceSetting.ExporterFile] = ["--file"],
            [GpuSourceSetting.Timeout] = ["--timeout"],
        });
        var watch = new Option<string?>("--watch") { Description = "Refresh every interval (e.g. 1s) until interrupted" };
        var count = new Option<int?>("--count") { Description = "With --watch: stop after this many reads" };
        var format = new Option<OutputFormat>("--format", "-f") { Description = "table or json", DefaultValueFactory = _ => OutputFormat.Table, HelpName = "table|json" };
        var command = new Command("gpus", "List the GPUs and one telemetry sample from DCGM, NVML, dcgm-exporter or the stand-ins");
        gpuSource.AddTo(command);
        command.Options.Add(watch);
        command.Options.Add(count);
        command.Options.Add(format);

        command.SetAction(async (parse, cancellationToken) =>
        {
            var outputFormat = parse.GetValue(format);
            if (outputFormat == OutputFormat.Csv)
            {
                throw new SolInputException("gpus prints table or json");
            }

            var interval = parse.GetValue(watch) is { } w ? DurationParser.Parse(w, "--watch") : (TimeSpan?)null;
            var reads = parse.GetValue(count) is { } c ? (c >= 1 ? c : throw new SolInputException($"--count {c} must be >= 1")) : (int?)null;
            using var http = SolProfiler.Telemetry.Http.ServerHttp.CreateClient(); // dcgm-exporter scrapes survive a server that drops idle connections
            var request = gpuSource.Read(parse, stderr) ?? throw new SolInputException("gpus needs a GPU backend: --gpu-backend none reads nothing");
            var choice = GpuSources.Create(request, http);
            await using var source = choice.Source;
            if (choice.Explanation is { } why)
            {
                await stderr.WriteLineAsync(why).ConfigureAwait(false);
            }

            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) });
            if (Console.IsOutputRedirected)
            {
                console.Profile.Width = 220;
            }

            var catalog = GpuCatalog.BuiltIn;
            try
            {
                return await ReadLoop(source, interval, reads, outputFormat, console, catalog, stdout, stderr, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C or SIGTERM is how a --watch ends: the reads so far were printed, nothing went wrong.
                return CliApp.ExitOk;
            }
        });
        return command;
    }

    private static async Task<int> ReadLoop(
        IGpuSource source,
        TimeSpan? interval,
        int? reads,
        OutputFormat outputFormat,
        IAnsiConsole console,
        GpuCatalog catalog,
        TextWriter stdout,
        TextWriter stderr,
        CancellationToken cancellationToken)
    {
            var done = 0;
            using var timer = interval is { } every ? new PeriodicTimer(every) : null;
            while (true)
            {
                var snapshot = await source.ReadAsync(cancellationToken).ConfigureAwait(false);
                done++;
                if (snapshot.Down)
                {
                    await stderr.WriteLineAsync($"error: {snapshot.Backend} backend is down: {snapshot.DownReason}").ConfigureAwait(false);
                    if (timer is null)
                    {
                        return ExitBackendDown;
                    }
                }
                else if (outputFormat == OutputFormat.Json)
                {
                    await stdout.WriteLineAsync(GpusJsonWriter.Serialize(snapshot, catalog, oneLine: timer is not null)).ConfigureAwait(false);
                }
                else
                {
                    GpusTableRenderer.Render(console, snapshot, catalog);
                }

                if (timer is null || (reads is { } max && done >= max) || !await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                {
                    return snapshot.Down ? ExitBackendDown : CliApp.ExitOk;
                }
            }
    }
}
