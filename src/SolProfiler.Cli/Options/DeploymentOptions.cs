using System.CommandLine;
using System.Globalization;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Cli.Options;

/// <summary>What a command says about its defaults for the deployment flags (the flags themselves are the same everywhere).</summary>
/// <param name="ModelFlag"><c>--model</c>, or <c>--sol-model</c> where <c>--model</c> names the served model (sweep).</param>
public sealed record DeploymentHelp(string ModelFlag, string ModelDefault, string GpuDefault, string TpDefault, string KvDefault);

/// <summary>The deployment as the flags gave it; null where a flag was not given (the command's default applies).</summary>
public sealed record Deployment(string? Model, string? Gpu, string? GpuFile, int? Tp, int? Pp, int? Ep, int? AttentionDp, PrecisionChoice Precisions);

/// <summary>
/// The deployment flags of <c>sol</c>, <c>sweep</c> and <c>agent</c>, declared once: model, GPU and catalog file,
/// TP/PP/EP/attention-DP, and the five precisions, as checked types (a degree below 1 or an unknown precision is a
/// parse error naming the flag).
/// </summary>
public sealed class DeploymentOptions
{
    private readonly Option<string?> _model;
    private readonly Option<string?> _gpu;
    private readonly Option<string?> _gpuFile = new("--gpu-file") { Description = "JSON or YAML file that adds GPUs to the catalog or overrides keys of one", HelpName = "FILE" };
    private readonly Option<int?> _tp;
    private readonly Option<int?> _pp = Degree("--pp", "Pipeline-parallel stages (default 1)");
    private readonly Option<int?> _ep = Degree("--ep", "Expert-parallel degree (divides TP; default 1)");
    private readonly Option<int?> _attentionDp = Degree("--attention-dp", "Attention data-parallel groups (divides TP; default 1)");
    private readonly Option<Precision?> _weights = Precise("--weights", PrecisionRole.Weights, "Weight precision; default: as the checkpoint ships");
    private readonly Option<Precision?> _expertWeights = Precise("--expert-weights", PrecisionRole.ExpertWeights, "Routed-expert weight precision; default: --weights");
    private readonly Option<Precision?> _kv;
    private readonly Option<Precision?> _activations = Precise("--activations", PrecisionRole.Activations, "GEMM input precision; default follows the weights (fp8 -> fp8, nvfp4 -> nvfp4, else 16-bit)");
    private readonly Option<Precision?> _dispatch = Precise("--dispatch", PrecisionRole.Dispatch, "Expert dispatch precision; combine stays 16-bit; default: fp8 where the GEMMs take 8-bit or narrower inputs, else the model dtype");

    public DeploymentOptions(DeploymentHelp help)
    {
        ArgumentNullException.ThrowIfNull(help);
        _model = new Option<string?>(help.ModelFlag, help.ModelFlag == "--model" ? ["-m"] : [])
        {
            Description = $"Catalog model id (e.g. llama-3.1-70b) or path of a Hugging Face config.json; {help.ModelDefault}",
            HelpName = "id|config.json",
        };
        _gpu = new Option<string?>("--gpu", "-g") { Description = $"Catalog GPU id (e.g. h100-sxm); {help.GpuDefault}", HelpName = "id" };
        _tp = Degree("--tp", $"Tensor-parallel degree (default {help.TpDefault})");
        _kv = Precise("--kv", PrecisionRole.Kv, $"KV-cache precision; default: {help.KvDefault}");
    }

    /// <summary>The tensor-parallel option, for a command that checks it against another of its own (sol's <c>--tp-sweep</c>).</summary>
    public Option<int?> Tp => _tp;

    private IEnumerable<Option> All => [_model, _gpu, _gpuFile, _tp, _pp, _ep, _attentionDp, _weights, _expertWeights, _kv, _activations, _dispatch];

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in All)
        {
            command.Options.Add(option);
        }
    }

    public Deployment Read(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return new Deployment(
            parse.GetValue(_model),
            parse.GetValue(_gpu),
            parse.GetValue(_gpuFile),
            parse.GetValue(_tp),
            parse.GetValue(_pp),
            parse.GetValue(_ep),
            parse.GetValue(_attentionDp),
            new PrecisionChoice(parse.GetValue(_weights), parse.GetValue(_expertWeights), parse.GetValue(_kv), parse.GetValue(_activations), parse.GetValue(_dispatch)));
    }

    /// <summary>The flags given, as the agent's configuration keys (<c>DeploymentSettings</c>'s property names).</summary>
    public void AddConfiguration(ParseResult parse, IDictionary<string, string?> given)
    {
        ArgumentNullException.ThrowIfNull(given);
        var deployment = Read(parse);
        Put("model", deployment.Model);
        Put("gpu", deployment.Gpu);
        Put("gpuFile", deployment.GpuFile);
        Put("tp", Text(deployment.Tp));
        Put("pp", Text(deployment.Pp));
        Put("ep", Text(deployment.Ep));
        Put("attentionDp", Text(deployment.AttentionDp));
        Put("weights", Name(deployment.Precisions.Weights));
        Put("expertWeights", Name(deployment.Precisions.ExpertWeights));
        Put("kv", Name(deployment.Precisions.Kv));
        Put("activations", Name(deployment.Precisions.Activations));
        Put("dispatch", Name(deployment.Precisions.Dispatch));

        void Put(string key, string? value)
        {
            if (value is not null)
            {
                given[key] = value;
            }
        }

        static string? Text(int? value) => value?.ToString(CultureInfo.InvariantCulture);
        static string? Name(Precision? value) => value is { } p ? PrecisionFacts.Name(p) : null;
    }

    private static Option<int?> Degree(string name, string description) =>
        new(name) { Description = description, HelpName = "N", CustomParser = OptionParsers.AtLeastOne };

    private static Option<Precision?> Precise(string name, PrecisionRole role, string description) => new(name)
    {
        Description = description,
        HelpName = string.Join('|', PrecisionRoles.Names(role)),
        CustomParser = OptionParsers.Precision(role),
    };
}
