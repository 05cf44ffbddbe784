using System.CommandLine;
using SolProfiler.Cli.Common;
using SolProfiler.Agent.Configuration;
using SolProfiler.Agent.Sources;
using SolProfiler.Sol;
using SolProfiler.Sol.Models;
using SolProfiler.Sol.Modeling;
using SolProfiler.Telemetry.Gpu;
using SolProfiler.Telemetry.Http;
using SolProfiler.Telemetry.Probe;
using Spectre.Console;

namespace SolProfiler.Cli.Sweep;

/// <summary>
/// <c>solprof sweep</c>: a closed-loop load sweep over concurrency levels against an OpenAI-compatible server, with the
/// SOL, the efficiency and the Pareto gap at each measured point. Exit 0 when every level completed requests,
/// 1 when a level completed none, the sweep stopped early (error ratio or Ctrl-C) or the endpoint was down before the
/// first level (one line, nothing written), 2 for bad options. Otherwise the JSON and CSV are written.
/// </summary>
public static class SweepCommand
{
    public const int ExitIncomplete = 1;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var options = new SweepOptions();
        var command = new Command("sweep", "Sweep load over concurrency levels and compare each measured point with the SOL");
        options.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = options.Settings(parse, stderr);
            var (model, modelName) = SweepModel.Resolve(settings);
            if (settings.SolModel is null)
            {
                await stderr.WriteLineAsync($"SOL model: {modelName.From} (--sol-model to choose another)").ConfigureAwait(false);
            }

            settings = settings with { SolModel = modelName.Id };
            var sol = SolModel.Prepare(new SolConfiguration(
                model, CatalogFiles.Gpus(settings.GpuFile).Get(settings.Gpu),
                new Parallelism(settings.Tp, settings.Pp, settings.Ep, settings.AttentionDp), settings.Precisions, null));
            var directory = Path.GetDirectoryName(Path.GetFullPath(settings.OutputPath))!;
            if (!Directory.Exists(directory))
            {
                throw new SolInputException($"--output: folder '{directory}' does not exist");
            }

            // The load, the metrics scrape and a dcgm-exporter scrape share one client: pooled, with a request that
            // hit a connection the server had closed retried once on a fresh one (see FreshConnectionRetryHandler).
            using var http = ServerHttp.CreateClient(new ServerHttpOptions { MaxConnectionsPerServer = settings.Concurrency.Max() + 4 });
            await EndpointCheck.CheckAsync(http, new ProbeOptions { Endpoint = settings.Endpoint, Model = settings.ServedModel }, "--model", cancellationToken).ConfigureAwait(false);
            await using var gpuSource = await OpenGpuSourceAsync(settings, http, stderr, cancellationToken).ConfigureAwait(false);
            await stderr.WriteLineAsync($"sweeping {settings.Endpoint} ({settings.ServedModel}) at concurrency {string.Join(",", settings.Concurrency)}").ConfigureAwait(false);
            SweepResult result;
            if (ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected)
            {
                result = await AnsiConsole.Progress().AutoClear(false).StartAsync(ctx =>
                    new SweepRunner(settings, sol, http) { Progress = new SpectreSweepProgress(ctx, settings), GpuSource = gpuSource }.RunAsync(cancellationToken)).ConfigureAwait(false);
            }
            else
            {
                result = await new SweepRunner(settings, sol, http) { Progress = new LineSweepProgress(stderr), GpuSource = gpuSource }.RunAsync(cancellationToken).ConfigureAwait(false);
            }

            SweepFiles.Write(settings.OutputPath, result);
            SweepTable.Render(stdout, result);
            await stderr.WriteLineAsync($"wrote {settings.OutputPath} and {SweepFiles.CsvPathFor(settings.OutputPath)}").ConfigureAwait(false);
            return result.StoppedEarly || result.Levels.Any(l => l.Completed == 0) ? ExitIncomplete : CliApp.ExitOk;
        });
        return command;
    }

    /// <summary>
    /// The GPU source for power and J/token, read once here so a missing library is said before the sweep starts. A
    /// source that is down is not fatal: the sweep runs, its power is null, and stderr says why.
    /// </summary>
    private static async Task<IGpuSource?> OpenGpuSourceAsync(SweepSettings settings, HttpClient http, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (settings.GpuBackend is not { } request)
        {
            return null;
        }

        var choice = GpuSources.Create(request, http);
        var source = choice.Source;
        if (choice.Explanation is { } why)
        {
            await stderr.WriteLineAsync(why).ConfigureAwait(false);
        }

        var first = await source.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (first.Down)
        {
            await stderr.WriteLineAsync($"warning: GPU backend {first.Backend} is down ({first.DownReason}); the sweep runs without power and J/token").ConfigureAwait(false);
        }
        else if (first.Gpus.Count < settings.GpusPerReplica)
        {
            await stderr.WriteLineAsync($"warning: GPU backend {first.Backend} sees {first.Gpus.Count} GPUs but TP x PP is {settings.GpusPerReplica}; power and J/token stay null").ConfigureAwait(false);
        }

        return source;
    }
}
