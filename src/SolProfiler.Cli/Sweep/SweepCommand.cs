using System.CommandLine;
using System.Globalization;
using SolProfiler.Cli.Common;
using SolProfiler.Cli.Sol;
using SolProfiler.Sol;
using SolProfiler.Sol.Hardware;
using SolProfiler.Sol.Models;
using SolProfiler.Sol.Modeling;
using SolProfiler.Telemetry.Probe;
using Spectre.Console;

namespace SolProfiler.Cli.Sweep;

/// <summary>
/// <c>solprof sweep</c>: a closed-loop load sweep over concurrency levels against an OpenAI-compatible server, with the
/// SOL, the efficiency and the Pareto gap at each measured point. Exit 0 when every level completed requests,
/// 1 when a level completed none or the sweep stopped early (error ratio or Ctrl-C), 2 for bad options.
/// The JSON and CSV are written in every case but bad options.
/// </summary>
public static class SweepCommand
{
    public const int ExitIncomplete = 1;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var endpoint = new Option<string>("--endpoint", "-e") { Description = "OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1", Required = true, HelpName = "URL" };
        var served = new Option<string>("--model") { Description = "Model name the server serves", Required = true, HelpName = "NAME" };
        var solModel = new Option<string>("--sol-model") { Description = "Catalog model id or config.json for the SOL", Required = true, HelpName = "id|config.json" };
        var gpu = new Option<string>("--gpu", "-g") { Description = "Catalog GPU id (e.g. h100-sxm)", Required = true, HelpName = "id" };
        var tp = new Option<int>("--tp") { Description = "Tensor-parallel degree", DefaultValueFactory = _ => 1 };
        var pp = new Option<int>("--pp") { Description = "Pipeline-parallel stages", DefaultValueFactory = _ => 1 };
        var ep = new Option<int>("--ep") { Description = "Expert-parallel degree", DefaultValueFactory = _ => 1 };
        var weights = new Option<string?>("--weights") { Description = "Weight precision; default: as the checkpoint ships" };
        var kv = new Option<string?>("--kv") { Description = "KV-cache precision" };
        var activations = new Option<string?>("--activations") { Description = "GEMM input precision" };
        var concurrency = new Option<string>("--concurrency", "-c") { Description = "Concurrency levels: 1,4,16 or 1..256", DefaultValueFactory = _ => "1,2,4,8,16", HelpName = "LIST" };
        var duration = new Option<string?>("--duration") { Description = "Measured time per level (default 60s)", HelpName = "DURATION" };
        var requests = new Option<int?>("--requests", "-n") { Description = "Measured requests per level instead of a duration" };
        var inputTokens = new Option<int>("--input-tokens") { Description = "Prompt length in tokens (approximate: 4 characters per token)", DefaultValueFactory = _ => 1024 };
        var outputTokens = new Option<int>("--output-tokens") { Description = "Output tokens per request (max_tokens = min_tokens, ignore_eos)", DefaultValueFactory = _ => 256 };
        var warmup = new Option<string>("--warmup") { Description = "Time per level whose requests are left out (0 for none)", DefaultValueFactory = _ => "10s", HelpName = "DURATION" };
        var metricsUrl = new Option<string?>("--metrics-url") { Description = "The server's Prometheus metrics, scraped every second for its batch, context and ITL", HelpName = "URL" };
        var maxErrorRatio = new Option<double>("--max-error-ratio") { Description = "Stop the sweep after a level whose failed share of requests exceeds this", DefaultValueFactory = _ => 0.5 };
        var timeout = new Option<string>("--timeout") { Description = "Per-request limit", DefaultValueFactory = _ => "120s", HelpName = "DURATION" };
        var output = new Option<string>("--output", "-o") { Description = "Results JSON (a CSV is written next to it)", DefaultValueFactory = _ => "sweep.json", HelpName = "FILE" };

        var command = new Command("sweep", "Sweep load over concurrency levels and compare each measured point with the SOL")
        {
            endpoint, served, solModel, gpu, tp, pp, ep, weights, kv, activations, concurrency, duration, requests, inputTokens, outputTokens, warmup, metricsUrl, maxErrorRatio, timeout, output,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = Settings(parse, endpoint, served, solModel, gpu, tp, pp, ep, weights, kv, activations, concurrency, duration, requests, inputTokens, outputTokens, warmup, metricsUrl, maxErrorRatio, timeout, output);
            var sol = SolModel.Prepare(new SolConfiguration(
                ModelCatalog.BuiltIn.Resolve(settings.SolModel), GpuCatalog.BuiltIn.Get(settings.Gpu),
                new Parallelism(settings.Tp, settings.Pp, settings.Ep, 1), settings.Precisions, null));
            var directory = Path.GetDirectoryName(Path.GetFullPath(settings.OutputPath))!;
            if (!Directory.Exists(directory))
            {
                throw new SolInputException($"--output: folder '{directory}' does not exist");
            }

            using var handler = new SocketsHttpHandler
            {
                ConnectTimeout = TimeSpan.FromSeconds(10),
                MaxConnectionsPerServer = settings.Concurrency.Max() + 4,
            };
            using var http = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
            await stderr.WriteLineAsync($"sweeping {settings.Endpoint} ({settings.ServedModel}) at concurrency {string.Join(",", settings.Concurrency)}").ConfigureAwait(false);
            SweepResult result;
            if (ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected)
            {
                result = await AnsiConsole.Progress().AutoClear(false).StartAsync(ctx =>
                    new SweepRunner(settings, sol, http) { Progress = new SpectreSweepProgress(ctx, settings) }.RunAsync(cancellationToken)).ConfigureAwait(false);
            }
            else
            {
                result = await new SweepRunner(settings, sol, http) { Progress = new LineSweepProgress(stderr) }.RunAsync(cancellationToken).ConfigureAwait(false);
            }

            SweepFiles.Write(settings.OutputPath, result);
            SweepTable.Render(stdout, result);
            await stderr.WriteLineAsync($"wrote {settings.OutputPath} and {SweepFiles.CsvPathFor(settings.OutputPath)}").ConfigureAwait(false);
            return result.StoppedEarly || result.Levels.Any(l => l.Completed == 0) ? ExitIncomplete : CliApp.ExitOk;
        });
        return command;
    }

    private static SweepSettings Settings(
        ParseResult parse, Option<string> endpoint, Option<string> served, Option<string> solModel, Option<string> gpu, Option<int> tp, Option<int> pp, Option<int> ep,
        Option<string?> weights, Option<string?> kv, Option<string?> activations, Option<string> concurrency, Option<string?> duration, Option<int?> requests,
        Option<int> inputTokens, Option<int> outputTokens, Option<string> warmup, Option<string?> metricsUrl, Option<double> maxErrorRatio, Option<string> timeout, Option<string> output)
    {
        if (parse.GetValue(duration) is not null && parse.GetValue(requests) is not null)
        {
            throw new SolInputException("give either --duration or --requests, not both");
        }

        if (parse.GetValue(requests) is < 1)
        {
            throw new SolInputException("--requests must be at least 1");
        }

        Require(parse.GetValue(inputTokens) >= 1, "--input-tokens must be at least 1");
        Require(parse.GetValue(outputTokens) >= 1, "--output-tokens must be at least 1");
        Require(parse.GetValue(tp) >= 1 && parse.GetValue(pp) >= 1 && parse.GetValue(ep) >= 1, "--tp, --pp and --ep must be at least 1");
        var ratio = parse.GetValue(maxErrorRatio);
        Require(ratio is >= 0 and <= 1, $"--max-error-ratio {ratio.ToString(CultureInfo.InvariantCulture)} must be between 0 and 1");
        var warmupText = parse.GetValue(warmup)!.Trim();
        Uri endpointUri;
        Uri? metrics = null;
        try
        {
            endpointUri = ProbeOptions.ParseEndpoint(parse.GetValue(endpoint)!);
            if (parse.GetValue(metricsUrl) is { } m)
            {
                metrics = ProbeOptions.ParseEndpoint(m);
            }
        }
        catch (ProbeOptionsException e)
        {
            throw new SolInputException(e.Message, e);
        }

        var n = parse.GetValue(requests);
        return new SweepSettings
        {
            Endpoint = endpointUri,
            ServedModel = parse.GetValue(served)!,
            SolModel = parse.GetValue(solModel)!,
            Gpu = parse.GetValue(gpu)!,
            Tp = parse.GetValue(tp),
            Pp = parse.GetValue(pp),
            Ep = parse.GetValue(ep),
            WeightsName = parse.GetValue(weights),
            KvName = parse.GetValue(kv),
            ActivationsName = parse.GetValue(activations),
            Precisions = new PrecisionChoice(PrecisionFacts.ParseOptional(parse.GetValue(weights), "weight"), null, PrecisionFacts.ParseOptional(parse.GetValue(kv), "KV-cache"), PrecisionFacts.ParseOptional(parse.GetValue(activations), "activation")),
            Concurrency = IntListParser.Parse(parse.GetValue(concurrency)!, "concurrency"),
            Duration = n is null ? DurationParser.Parse(parse.GetValue(duration) ?? "60s", "--duration") : null,
            Requests = n,
            Warmup = warmupText is "0" or "0s" ? TimeSpan.Zero : DurationParser.Parse(warmupText, "--warmup"),
            InputTokens = parse.GetValue(inputTokens),
            OutputTokens = parse.GetValue(outputTokens),
            MetricsUrl = metrics,
            MaxErrorRatio = ratio,
            RequestTimeout = DurationParser.Parse(parse.GetValue(timeout)!, "--timeout"),
            OutputPath = parse.GetValue(output)!,
        };
    }


    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new SolInputException(message);
        }
    }
}
