using Microsoft.Extensions.Options;
using SolProfiler.Agent.Sources;
using SolProfiler.Sol;
using SolProfiler.Sol.Hardware;
using SolProfiler.Sol.Models;
using SolProfiler.Sol.Modeling;
using SolProfiler.Telemetry.Serving;

namespace SolProfiler.Agent.Configuration;

/// <summary>
/// Checks the options once at start. Every message names the key (as in the config file, and the flag) and what was
/// wrong with its value, so that a bad configuration fails before any source starts.
/// </summary>
public sealed class AgentOptionsValidator : IValidateOptions<AgentOptions>
{

    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        void Fail(string key, string flag, string message) => errors.Add($"{key} ({flag}): {message}");

        if (string.IsNullOrWhiteSpace(options.Model))
        {
            Fail("model", "--model", "required: a model catalog id (" + string.Join(", ", ModelCatalog.BuiltIn.Ids) + "), the path of a config.json, or auto (what the server serves)");
        }
        else if (options.Model.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            if (!options.Demo && options.Serving.Url is null)
            {
                Fail("model", "--model", "auto needs a serving source to read the served model from; set --serving-url, or --model to a catalog id or a config.json path");
            }
        }
        else
        {
            Try(() => ModelCatalog.BuiltIn.Resolve(options.Model), e => Fail("model", "--model", e));
        }

        var catalog = GpuCatalog.BuiltIn;
        if (options.GpuFile is { } gpuFile)
        {
            Try(() => catalog = catalog.WithOverrides(StructuredFileReader.Read(gpuFile), gpuFile), e => Fail("gpuFile", "--gpu-file", e));
        }

        if (string.IsNullOrWhiteSpace(options.Gpu))
        {
            Fail("gpu", "--gpu", "required: auto or a GPU catalog id (" + string.Join(", ", catalog.Ids) + ")");
        }
        else if (!options.Gpu.Equals("auto", StringComparison.OrdinalIgnoreCase) && !catalog.TryGet(options.Gpu, out _))
        {
            Fail("gpu", "--gpu", $"'{options.Gpu}' is not in the GPU catalog; known: auto, {string.Join(", ", catalog.Ids)}");
        }

        if (options.Tp is { } tp)
        {
            Positive(tp, "tp", "--tp");
        }

        Positive(options.Pp, "pp", "--pp");
        Positive(options.Ep, "ep", "--ep");
        Positive(options.AttentionDp, "attentionDp", "--attention-dp");
        if (options.AttentionDp >= 1 && options.Tp is >= 1 && options.Tp % options.AttentionDp != 0)
        {
            Fail("attentionDp", "--attention-dp", $"{options.AttentionDp} must divide TP {options.Tp}");
        }

        Precision(options.Weights, "weights", "--weights", PrecisionRole.Weights);
        Precision(options.ExpertWeights, "expertWeights", "--expert-weights", PrecisionRole.ExpertWeights);
        Precision(options.Kv, "kv", "--kv", PrecisionRole.Kv);
        Precision(options.Activations, "activations", "--activations", PrecisionRole.Activations);
        Precision(options.Dispatch, "dispatch", "--dispatch", PrecisionRole.Dispatch);

        if (!options.Demo && options.Serving.Url is { } url && !IsHttpUrl(url))
        {
            Fail("serving:url", "--serving-url", $"'{url}' is not an http(s) URL");
        }

        if (!options.Serving.Kind.Equals("auto", StringComparison.OrdinalIgnoreCase) && !ServerKinds.TryParse(options.Serving.Kind, out _))
        {
            Fail("serving:kind", "--server", $"'{options.Serving.Kind}' is not a server kind; known: auto, {string.Join(", ", ServerKinds.KnownNames)}");
        }

        Duration(options.Serving.Interval, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5), "serving:interval", "--serving-interval");
        Duration(options.Serving.Timeout, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(1), "serving:timeout", "--serving-timeout");
        if (options.Serving.ApiKeyFile is { } keyFile && !File.Exists(keyFile))
        {
            Fail("serving:apiKeyFile", "--api-key-file", $"file '{keyFile}' does not exist");
        }

        if (!GpuBackendNames.TryParse(options.GpuSource.Backend, out var backend))
        {
            Fail("gpuSource:backend", "--gpu-backend", $"'{options.GpuSource.Backend}' is not a GPU backend; known: {GpuBackendNames.Choices}");
        }
        else
        {
            var source = options.GpuSource;
            var request = new GpuBackendRequest(backend, source.Library, source.Url, source.File, source.Timeout, source.DcgmHost);
            foreach (var (setting, message) in GpuSourceRules.Check(request, GpuSourceRules.Flag))
            {
                Fail(Key(setting), GpuSourceRules.Flag(setting), message);
            }
        }

        Duration(options.GpuSource.Timeout, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(1), Key(GpuSourceSetting.Timeout), GpuSourceRules.Flag(GpuSourceSetting.Timeout));
        Duration(options.SampleInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1), "sampleInterval", "--sample-interval");
        if (!(options.Context > 0) || double.IsInfinity(options.Context) || options.Context > 1e8)
        {
            Fail("context", "--context", $"{options.Context} must be a positive number of tokens, at most 1e8");
        }

        Duration(options.Window, TimeSpan.FromSeconds(2), TimeSpan.FromHours(1), "window", "--window");
        if (options.Window < options.SampleInterval * 2 || options.Window < options.Serving.Interval * 2)
        {
            Fail("window", "--window", $"{options.Window.TotalSeconds:0.###} s must hold at least two samples (sample interval {options.SampleInterval.TotalSeconds:0.###} s, serving interval {options.Serving.Interval.TotalSeconds:0.###} s)");
        }

        if (string.IsNullOrWhiteSpace(options.Urls))
        {
            Fail("urls", "--urls", "at least one listen URL is needed, e.g. http://127.0.0.1:9464");
        }
        else
        {
            foreach (var u in options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!Uri.TryCreate(u.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var listen) || listen.Scheme is not ("http" or "https"))
                {
                    Fail("urls", "--urls", $"'{u}' is not an http(s) listen URL");
                }
            }
        }

        if (options.Record.MaxBytes < 4096)
        {
            Fail("record:maxBytes", "--record-max-bytes", $"{options.Record.MaxBytes} must be at least 4096");
        }

        if (options.Record.MaxFiles is < 1 or > 1000)
        {
            Fail("record:maxFiles", "--record-max-files", $"{options.Record.MaxFiles} must be 1..1000");
        }

        if (options.Gap.CommSmShare is < 0 or >= 1 || double.IsNaN(options.Gap.CommSmShare))
        {
            Fail("gap:commSmShare", "--comm-sm-share", $"{options.Gap.CommSmShare} must be in [0, 1)");
        }

        if (options.FrontierBatches.Count > 32 || options.FrontierBatches.Any(b => b < 1))
        {
            Fail("frontierBatches", "--frontier-batches", "at most 32 batch sizes, each >= 1");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);

        void Positive(int value, string key, string flag)
        {
            if (value < 1)
            {
                Fail(key, flag, $"{value} must be >= 1");
            }
        }

        void Precision(string? value, string key, string flag, PrecisionRole role)
        {
            if (value is not null && !PrecisionRoles.TryParse(value, role, out _, out var error))
            {
                Fail(key, flag, error);
            }
        }

        void Duration(TimeSpan value, TimeSpan min, TimeSpan max, string key, string flag)
        {
            if (value < min || value > max)
            {
                Fail(key, flag, $"{value.TotalSeconds:0.###} s must be between {min.TotalSeconds:0.###} s and {max.TotalSeconds:0.###} s");
            }
        }
    }

    /// <summary>The configuration key of a GPU-source setting.</summary>
    private static string Key(GpuSourceSetting setting) => setting switch
    {
        GpuSourceSetting.Backend => "gpuSource:backend",
        GpuSourceSetting.Library => "gpuSource:library",
        GpuSourceSetting.DcgmHost => "gpuSource:dcgmHost",
        GpuSourceSetting.ExporterUrl => "gpuSource:url",
        GpuSourceSetting.ExporterFile => "gpuSource:file",
        _ => "gpuSource:timeout",
    };

    private static bool IsHttpUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    private static void Try(Action action, Action<string> onError)
    {
        try
        {
            action();
        }
        catch (SolInputException e)
        {
            onError(e.Message);
        }
    }
}
