using System.CommandLine;
using System.Globalization;
using SolProfiler.Agent.Sources;
using SolProfiler.Cli.Common;
using SolProfiler.Cli.Sol;
using SolProfiler.Sol;
using SolProfiler.Sol.Modeling;
using SolProfiler.Telemetry.Probe;

namespace SolProfiler.Cli.Sweep;

/// <summary>The options of <c>solprof sweep</c>, and their parsing into checked <see cref="SweepSettings"/>.</summary>
internal sealed class SweepOptions
{
    private readonly Option<string> _endpoint = new("--endpoint", "-e") { Description = "OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1", Required = true, HelpName = "URL" };
    private readonly Option<string> _served = new("--model") { Description = "Model name the server serves", Required = true, HelpName = "NAME" };
    private readonly Option<string?> _solModel = new("--sol-model") { Description = "Catalog model id or config.json for the SOL; default: the served model's config.json (Hugging Face cache), else the catalog model --model names", HelpName = "id|config.json" };
    private readonly Option<string> _gpu = new("--gpu", "-g") { Description = "Catalog GPU id (e.g. h100-sxm)", Required = true, HelpName = "id" };
    private readonly Option<string?> _gpuFile = new("--gpu-file") { Description = "JSON or YAML file that adds or overrides GPUs" };
    private readonly Option<int> _tp = new("--tp") { Description = "Tensor-parallel degree", DefaultValueFactory = _ => 1 };
    private readonly Option<int> _pp = new("--pp") { Description = "Pipeline-parallel stages", DefaultValueFactory = _ => 1 };
    private readonly Option<int> _ep = new("--ep") { Description = "Expert-parallel degree", DefaultValueFactory = _ => 1 };
    private readonly Option<int> _attentionDp = new("--attention-dp") { Description = "Attention data-parallel groups (divides TP)", DefaultValueFactory = _ => 1 };
    private readonly Option<string?> _weights = new("--weights") { Description = "Weight precision; default: as the checkpoint ships" };
    private readonly Option<string?> _expertWeights = new("--expert-weights") { Description = "Routed-expert weight precision when it differs from --weights" };
    private readonly Option<string?> _kv = new("--kv") { Description = "KV-cache precision" };
    private readonly Option<string?> _activations = new("--activations") { Description = "GEMM input precision" };
    private readonly Option<string> _concurrency = new("--concurrency", "-c") { Description = "Concurrency levels: 1,4,16 or 1..256", DefaultValueFactory = _ => "1,2,4,8,16", HelpName = "LIST" };
    private readonly Option<string?> _duration = new("--duration") { Description = "Measured time per level (default 60s)", HelpName = "DURATION" };
    private readonly Option<int?> _requests = new("--requests", "-n") { Description = "Measured requests per level instead of a duration" };
    private readonly Option<int> _inputTokens = new("--input-tokens") { Description = "Prompt length in tokens (approximate: 4 characters per token)", DefaultValueFactory = _ => 1024 };
    private readonly Option<int> _outputTokens = new("--output-tokens") { Description = "Output tokens per request (max_tokens = min_tokens, ignore_eos)", DefaultValueFactory = _ => 256 };
    private readonly Option<string> _warmup = new("--warmup") { Description = "Time per level whose requests are left out (0 for none)", DefaultValueFactory = _ => "10s", HelpName = "DURATION" };
    private readonly Option<string?> _metricsUrl = new("--metrics-url") { Description = "The server's Prometheus metrics, scraped every second for its batch, context and ITL", HelpName = "URL" };
    private readonly Option<string?> _gpuBackend = new("--gpu-backend") { Description = "GPU telemetry for power and J/token: auto, nvml, sim, dcgm or dcgm-exporter (default: none)", HelpName = "BACKEND" };
    private readonly Option<string?> _gpuLibrary = new("--gpu-library") { Description = "Explicit path of libnvidia-ml (nvml) or of the stand-in (sim)" };
    private readonly Option<string?> _gpuUrl = new("--gpu-url") { Description = "dcgm-exporter endpoint for --gpu-backend dcgm-exporter, e.g. http://127.0.0.1:9400/metrics", HelpName = "URL" };
    private readonly Option<string?> _dcgmHost = new("--dcgm-host") { Description = "With --gpu-backend dcgm: a running nv-hostengine (host:port or unix socket path)" };
    private readonly Option<double> _maxErrorRatio = new("--max-error-ratio") { Description = "Stop the sweep after a level whose failed share of requests exceeds this", DefaultValueFactory = _ => 0.5 };
    private readonly Option<double> _efficiencyMaxErrorRatio = new("--efficiency-max-error-ratio") { Description = "A level whose failed share of requests exceeds this publishes no efficiency or Pareto gap, only its errors", DefaultValueFactory = _ => SweepSettings.DefaultEfficiencyMaxErrorRatio };
    private readonly Option<string> _timeout = new("--timeout") { Description = "Per-request limit", DefaultValueFactory = _ => "120s", HelpName = "DURATION" };
    private readonly Option<string> _output = new("--output", "-o") { Description = "Results JSON (a CSV is written next to it)", DefaultValueFactory = _ => "sweep.json", HelpName = "FILE" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[]
        {
            _endpoint, _served, _solModel, _gpu, _gpuFile, _tp, _pp, _ep, _attentionDp, _weights, _expertWeights, _kv, _activations, _concurrency, _duration, _requests,
            _inputTokens, _outputTokens, _warmup, _metricsUrl, _gpuBackend, _gpuLibrary, _gpuUrl, _dcgmHost, _maxErrorRatio, _efficiencyMaxErrorRatio, _timeout, _output,
        })
        {
            command.Options.Add(option);
        }
    }

    public SweepSettings Settings(ParseResult parse)
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
        Require(parse.GetValue(_tp) >= 1 && parse.GetValue(_pp) >= 1 && parse.GetValue(_ep) >= 1 && parse.GetValue(_attentionDp) >= 1, "--tp, --pp, --ep and --attention-dp must be at least 1");
        var ratio = parse.GetValue(_maxErrorRatio);
        Require(ratio is >= 0 and <= 1, $"--max-error-ratio {ratio.ToString(CultureInfo.InvariantCulture)} must be between 0 and 1");
        var efficiencyRatio = parse.GetValue(_efficiencyMaxErrorRatio);
        Require(efficiencyRatio is >= 0 and <= 1, $"--efficiency-max-error-ratio {efficiencyRatio.ToString(CultureInfo.InvariantCulture)} must be between 0 and 1");
        var warmupText = parse.GetValue(_warmup)!.Trim();
        var gpuBackend = parse.GetValue(_gpuBackend);
        Require(gpuBackend is not null || (parse.GetValue(_gpuLibrary) is null && parse.GetValue(_gpuUrl) is null && parse.GetValue(_dcgmHost) is null),
            "--gpu-library, --gpu-url and --dcgm-host go with --gpu-backend");
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
            SolModel = parse.GetValue(_solModel),
            Gpu = parse.GetValue(_gpu)!,
            GpuFile = parse.GetValue(_gpuFile),
            Tp = parse.GetValue(_tp),
            Pp = parse.GetValue(_pp),
            Ep = parse.GetValue(_ep),
            AttentionDp = parse.GetValue(_attentionDp),
            WeightsName = parse.GetValue(_weights),
            ExpertWeightsName = parse.GetValue(_expertWeights),
            KvName = parse.GetValue(_kv),
            ActivationsName = parse.GetValue(_activations),
            Precisions = new PrecisionChoice(
                PrecisionFacts.ParseOptional(parse.GetValue(_weights), "weight"),
                PrecisionFacts.ParseOptional(parse.GetValue(_expertWeights), "expert weight"),
                PrecisionFacts.ParseOptional(parse.GetValue(_kv), "KV-cache"),
                PrecisionFacts.ParseOptional(parse.GetValue(_activations), "activation")),
            Concurrency = IntListParser.Parse(parse.GetValue(_concurrency)!, "concurrency"),
            Duration = n is null ? DurationParser.Parse(parse.GetValue(_duration) ?? "60s", "--duration") : null,
            Requests = n,
            Warmup = warmupText is "0" or "0s" ? TimeSpan.Zero : DurationParser.Parse(warmupText, "--warmup"),
            InputTokens = parse.GetValue(_inputTokens),
            OutputTokens = parse.GetValue(_outputTokens),
            MetricsUrl = metrics,
            GpuBackend = gpuBackend is null
                ? null
                : new GpuBackendRequest(gpuBackend, parse.GetValue(_gpuLibrary), parse.GetValue(_gpuUrl), null, TimeSpan.FromSeconds(2), parse.GetValue(_dcgmHost)),
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
