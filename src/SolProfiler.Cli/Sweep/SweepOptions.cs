using System.CommandLine;
using System.Globalization;
using SolProfiler.Agent.Sources;
using SolProfiler.Cli.Common;
using SolProfiler.Cli.Options;
using SolProfiler.Cli.Sol;
using SolProfiler.Sol;
using SolProfiler.Sol.Modeling;
using SolProfiler.Telemetry.Probe;

namespace SolProfiler.Cli.Sweep;

/// <summary>The options of <c>solprof sweep</c>, and their parsing into checked <see cref="SweepSettings"/>.</summary>
internal sealed class SweepOptions
{
    private readonly DeploymentOptions _deployment = new(new DeploymentHelp(
        "--sol-model",
        ModelDefault: "default: the served model's config.json (Hugging Face cache), else the catalog model --model names",
        GpuDefault: "required",
        TpDefault: "1",
        KvDefault: "the model dtype"));

    private readonly GpuSourceOptions _gpuSource = new(GpuBackendKind.None, new Dictionary<GpuSourceSetting, string[]> { [GpuSourceSetting.ExporterUrl] = ["--gpu-url"] });

    private readonly Option<string> _endpoint = new("--endpoint", "-e") { Description = "OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1", Required = true, HelpName = "URL" };
    private readonly Option<string> _served = new("--model") { Description = "Model name the server serves", Required = true, HelpName = "NAME" };
    private readonly Option<string> _concurrency = new("--concurrency", "-c") { Description = "Concurrency levels: 1,4,16 or 1..256", DefaultValueFactory = _ => "1,2,4,8,16", HelpName = "LIST" };
    private readonly Option<string?> _duration = new("--duration") { Description = "Measured time per level (default 60s)", HelpName = "DURATION" };
    private readonly Option<int?> _requests = new("--requests", "-n") { Description = "Measured requests per level instead of a duration" };
    private readonly Option<int> _inputTokens = new("--input-tokens") { Description = "Prompt length in tokens (approximate: 4 characters per token)", DefaultValueFactory = _ => 1024 };
    private readonly Option<int> _outputTokens = new("--output-tokens") { Description = "Output tokens per request (max_tokens = min_tokens, ignore_eos)", DefaultValueFactory = _ => 256 };
    private readonly Option<string> _warmup = new("--warmup") { Description = "Time per level whose requests are left out (0 for none)", DefaultValueFactory = _ => "10s", HelpName = "DURATION" };
    private readonly Option<string?> _metricsUrl = new("--metrics-url") { Description = "The server's Prometheus metrics, scraped every second for its batch, context and ITL", HelpName = "URL" };
    private readonly Option<double> _maxErrorRatio = new("--max-error-ratio") { Description = "Stop the sweep after a level whose failed share of requests exceeds this", DefaultValueFactory = _ => 0.5 };
    private readonly Option<double> _efficiencyMaxErrorRatio = new("--efficiency-max-error-ratio") { Description = "A level whose failed share of requests exceeds this publishes no efficiency or Pareto gap, only its errors", DefaultValueFactory = _ => SweepSettings.DefaultEfficiencyMaxErrorRatio };
    private readonly Option<string> _timeout = new("--timeout") { Description = "Per-request limit", DefaultValueFactory = _ => "120s", HelpName = "DURATION" };
    private readonly Option<string> _output = new("--output", "-o") { Description = "Results JSON (a CSV is written next to it)", DefaultValueFactory = _ => "sweep.json", HelpName = "FILE" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[]
        {
            _endpoint, _served,
        })
        {
            command.Options.Add(option);
        }

        _deployment.AddTo(command);
        foreach (var option in new Option[]
        {
            _concurrency, _duration, _requests, _inputTokens, _outputTokens, _warmup, _metricsUrl, _maxErrorRatio, _efficiencyMaxErrorRatio, _timeout, _output,
        })
        {
            command.Options.Add(option);
        }

        _gpuSource.AddTo(command);
    }

    public SweepSettings Settings(ParseResult parse, TextWriter stderr)
    {
        if (parse.GetValue(_duration) is not null && parse.GetValue(_requests) is not null)
        {
            throw new SolInputException("give either --duration or --requests, not both");
        }

        if (parse.GetValue(_requests) is < 1)
        {
            throw new SolInputException("--requests must be at least 1");
        }

        Require(parse.GetValue(_inputTokens) >= 1, "--input-tokens must be at least 1");
        Require(parse.GetValue(_outputTokens) >= 1, "--output-tokens must be at least 1");
        var ratio = parse.GetValue(_maxErrorRatio);
        Require(ratio is >= 0 and <= 1, $"--max-error-ratio {ratio.ToString(CultureInfo.InvariantCulture)} must be between 0 and 1");
        var efficiencyRatio = parse.GetValue(_efficiencyMaxErrorRatio);
        Require(efficiencyRatio is >= 0 and <= 1, $"--efficiency-max-error-ratio {efficiencyRatio.ToString(CultureInfo.InvariantCulture)} must be between 0 and 1");
        var warmupText = parse.GetValue(_warmup)!.Trim();
        var deployment = _deployment.Read(parse);
        var gpuSource = _gpuSource.Read(parse, stderr);
        Uri endpointUri;
        Uri? metrics = null;
        try
        {
            endpointUri = ProbeOptions.ParseEndpoint(parse.GetValue(_endpoint)!);
            if (parse.GetValue(_metricsUrl) is { } m)
            {
                metrics = ProbeOptions.ParseEndpoint(m);
            }
        }
        catch (ProbeOptionsException e)
        {
            throw new SolInputException(e.Message, e);
        }

        var n = parse.GetValue(_requests);
        var timeout = DurationParser.Parse(parse.GetValue(_timeout)!, "--timeout");
        return new SweepSettings
        {
            Endpoint = endpointUri,
            ServedModel = parse.GetValue(_served)!,
            SolModel = deployment.Model,
            Gpu = deployment.Gpu ?? throw new SolInputException("Option '--gpu' is required."),
            GpuFile = deployment.GpuFile,
            Tp = deployment.Tp ?? 1,
            Pp = deployment.Pp ?? 1,
            Ep = deployment.Ep ?? 1,
            AttentionDp = deployment.AttentionDp ?? 1,
            Precisions = deployment.Precisions,
            Concurrency = IntListParser.Parse(parse.GetValue(_concurrency)!, "concurrency"),
            Duration = n is null ? DurationParser.Parse(parse.GetValue(_duration) ?? "60s", "--duration") : null,
            Requests = n,
            Warmup = warmupText is "0" or "0s" ? TimeSpan.Zero : DurationParser.Parse(warmupText, "--warmup"),
            InputTokens = parse.GetValue(_inputTokens),
            OutputTokens = parse.GetValue(_outputTokens),
            MetricsUrl = metrics,
            GpuBackend = gpuSource,
            MaxErrorRatio = ratio,
            EfficiencyMaxErrorRatio = efficiencyRatio,
            RequestTimeout = timeout,
            OutputPath = parse.GetValue(_output)!,
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
