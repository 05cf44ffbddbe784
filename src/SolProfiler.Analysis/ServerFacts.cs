using System.Collections.Concurrent;
using SolProfiler.Sol;
using SolProfiler.Sol.Models;
using SolProfiler.Sol.Modeling;
using SolProfiler.Telemetry.Gpu;
using SolProfiler.Telemetry.Serving;

namespace SolProfiler.Analysis;

/// <summary>What a <see cref="ServerFacts"/> reconciliation has to say once, in the log.</summary>
public enum ServerNoticeKind
{
    /// <summary>The model was found from what the server serves.</summary>
    ModelResolved,

    /// <summary>What the server serves names no model the SOL can use.</summary>
    ModelUnresolved,

    /// <summary>A setting the user left unset was taken from a source.</summary>
    Setting,

    /// <summary>A source contradicts what the user set; the user's setting stays.</summary>
    Contradiction,
}

public sealed record ServerNotice(ServerNoticeKind Kind, string Message);

/// <summary>
/// What the sources publish about the deployment, against what the user configured: the served model id (the
/// server's model label, else <c>GET /v1/models</c>) for <c>model: auto</c>, the KV-cache dtype for an unset
/// <c>--kv</c>, the GPU count for an unset <c>--tp</c>. What the user left unset is filled (an info line); what the
/// user set and a source contradicts stays as set, with a warning in the log and in every snapshot. Called by the
/// analysis loop once per tick; each finding is logged once (<see cref="Notices"/>).
/// </summary>
public sealed class ServerFacts
{
    private const int MaxCandidates = 8;
    private readonly DeploymentSettings _options;
    private readonly SolSetup _sol;
    private string? _gpuCountWarning;
    private int _gpuCountSeen;
    private string? _modelWarning;
    private string? _modelCandidatesSeen;
    private bool _kvHandled;
    private string? _kvWarning;
    private IReadOnlyList<string>? _listedModels;
    private string? _listProblem;

    /// <param name="options">Validated options.</param>
    /// <param name="sol">The SOL setup this fills.</param>
    /// <param name="hubFolder">The Hugging Face hub cache searched for a served model's config.json (<see cref="HfCache.HubFolder"/>).</param>
    public ServerFacts(DeploymentSettings options, SolSetup sol, string hubFolder)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sol);
        ArgumentNullException.ThrowIfNull(hubFolder);
        _options = options;
        _sol = sol;
        HubFolder = hubFolder;
    }

    public string HubFolder { get; }

    /// <summary>Whether the served model id is needed (model: auto, not found yet): then the sampler asks <c>/v1/models</c> where the metrics name none.</summary>
    public bool WantsServedModel => _sol.ModelAwaited;

    /// <summary>Findings to log once each, queued here by <see cref="Apply"/> and drained by the analysis loop.</summary>
    public ConcurrentQueue<ServerNotice> Notices { get; } = new();

    /// <summary>The warnings every snapshot carries (contradictions, an unresolved model).</summary>
    public IReadOnlyList<string> Warnings => new[] { _modelWarning, _gpuCountWarning, _kvWarning }.OfType<string>().ToArray();

    /// <summary>The ids <c>GET /v1/models</c> listed (set by the served-model lookup); null until then.</summary>
    public void ModelsListed(IReadOnlyList<string> ids) => Volatile.Write(ref _listedModels, ids);

    /// <summary>The model list could not be had (set by the served-model lookup): <paramref name="problem"/> says from where.</summary>
    public void ModelsUnlisted(string problem) => Volatile.Write(ref _listProblem, problem);

    /// <summary>Reconciles the latest scrape and GPU read with the options. One thread (the analysis loop).</summary>
    public void Apply(IReadOnlyList<ServingSample>? serving, GpuSnapshot? gpu)
    {
        if (gpu is { Down: false, Gpus.Count: > 0 } && gpu.Gpus.Count != _gpuCountSeen)
        {
            _gpuCountSeen = gpu.Gpus.Count;
            GpuCount(gpu.Gpus.Count);
        }

        if (serving is null)
        {
            return;
        }

        // A server serves a few models (one per engine, LoRA adapters beside it); a label that takes thousands of
        // values is hostile or broken, and resolving each on every tick would cost the analysis loop its budget.
        var served = serving.Select(s => s.Model).OfType<string>().Where(m => m.Trim().Length > 0).Distinct(StringComparer.Ordinal).Take(MaxCandidates).ToArray();
        if (_sol.ModelAwaited)
        {
            ServedModel(served.Length > 0 ? served : Volatile.Read(ref _listedModels) ?? [], served.Length > 0 ? "model label" : "GET /v1/models");
        }
        else if (!IsAuto(_options.Model) && _modelWarning is null && served.Length > 0 && string.Join('\n', served) is var key && key != _modelCandidatesSeen)
        {
            _modelCandidatesSeen = key;
            CheckServedModel(served);
        }

        if (!_kvHandled)
        {
            Kv(serving.Select(s => s.KvCacheDtype).OfType<string>().FirstOrDefault());
        }
    }

    private void GpuCount(int count)
    {
        var pp = _options.Pp;
        if (_options.Tp is null)
        {
            if (_sol.TpAwaited)
            {
                var tp = count % pp == 0 ? count / pp : count;
                _sol.SetTp(tp);
                Notices.Enqueue(new(ServerNoticeKind.Setting, $"TP {tp} (PP {pp}): the GPU source sees {count} GPUs and --tp is unset"));
            }

            return;
        }

        var expected = _options.Tp.Value * pp;
        var before = _gpuCountWarning;
        _gpuCountWarning = expected == count
            ? null
            : $"the GPU source sees {count} GPUs, --tp {_options.Tp} x --pp {pp} = {expected}: the SOL uses --tp and --pp (a sidecar may see only some GPUs of a replica)";
        if (_gpuCountWarning is not null && _gpuCountWarning != before)
        {
            Notices.Enqueue(new(ServerNoticeKind.Contradiction, _gpuCountWarning));
        }
    }

    private void ServedModel(IReadOnlyList<string> candidates, string where)
    {
        if (candidates.Count == 0)
        {
            if (Volatile.Read(ref _listProblem) is { } problem && _modelCandidatesSeen is null)
            {
                _modelCandidatesSeen = "";
                Unresolved($"the server names no model in its metrics and {problem}: set --model ID|path/to/config.json");
            }

            return;
        }

        var key = string.Join('\n', candidates);
        if (key == _modelCandidatesSeen)
        {
            return;
        }

        _modelCandidatesSeen = key;
        var notes = new List<string>();
        foreach (var id in candidates)
        {
            if (Resolve(id, notes) is { } found)
            {
                _modelWarning = null;
                _sol.SetModel(found.Model, found.From);
                Notices.Enqueue(new(ServerNoticeKind.ModelResolved, found.From));
                return;
            }
        }

        var ids = string.Join(", ", candidates.Select(c => $"'{Printable(c)}'"));
        Unresolved($"the server serves {ids} ({where}), which names no catalog model (by id, Hugging Face id or name) and has no config.json in the Hugging Face cache {HubFolder}"
            + (notes.Count > 0 ? " (" + string.Join("; ", notes) + ")" : "")
            + ": set --model ID|path/to/config.json");
    }

    private void Unresolved(string message)
    {
        _modelWarning = message;
        _sol.ModelUnresolved("model not known: " + message);
        Notices.Enqueue(new(ServerNoticeKind.ModelUnresolved, message));
    }

    /// <summary>The served checkpoint's config.json (local folder, Hugging Face cache), else the catalog model the id names.</summary>
    private (ModelArchitecture Model, string From)? Resolve(string served, List<string> notes) =>
        ServedModelResolver.Resolve(served, HubFolder, ModelCatalog.BuiltIn, notes) is { } found ? (found.Model, found.From) : null;

    /// <summary>The user named the model; the server names another catalog model: warn, keep the user's.</summary>
    private void CheckServedModel(IReadOnlyList<string> served)
    {
        if (_sol.Model is not { } model || !ModelCatalog.BuiltIn.Ids.Contains(model.Id))
        {
            return;
        }

        var others = served.Select(s => (Served: s, Match: ModelCatalog.BuiltIn.MatchServed(s))).Where(m => m.Match is not null).ToArray();
        if (others.Length > 0 && others.All(o => o.Match!.CatalogId != model.Id))
        {
            _modelWarning = $"--model {model.Id}, but the server serves '{Printable(others[0].Served)}' (catalog model {others[0].Match!.CatalogId}): the SOL uses --model";
            Notices.Enqueue(new(ServerNoticeKind.Contradiction, _modelWarning));
        }
    }

    private void Kv(string? dtype)
    {
        (bool Known, Precision? Precision)? told = dtype is null ? null : KvPrecision(dtype);
        if (_options.Kv is null)
        {
            _kvHandled = true;
            if (dtype is null)
            {
                _sol.SettleKv(null);
            }
            else if (told is { Known: true } t)
            {
                _sol.SettleKv(t.Precision);
                Notices.Enqueue(new(ServerNoticeKind.Setting, t.Precision is { } p
                    ? $"KV cache {PrecisionFacts.Name(p)} (cache_dtype '{Printable(dtype)}'), --kv is unset"
                    : $"KV cache in the model's dtype (cache_dtype '{Printable(dtype)}'), --kv is unset"));
            }
            else
            {
                _sol.SettleKv(null);
                _kvWarning = $"the server's KV-cache dtype '{Printable(dtype)}' is not one SolProfiler knows: KV taken in the model's dtype (set --kv)";
                Notices.Enqueue(new(ServerNoticeKind.Contradiction, _kvWarning));
            }

            return;
        }

        if (told is not { Known: true } server)
        {
            _kvHandled = true;
            return;
        }

        // "auto" is the model's dtype: compared once the model is known.
        if ((server.Precision ?? _sol.Model?.ActivationDtype) is not { } serverKv)
        {
            return;
        }

        _kvHandled = true;
        var set = PrecisionRoles.Parse(_options.Kv, PrecisionRole.Kv);
        if (set != serverKv)
        {
            _kvWarning = $"--kv {PrecisionFacts.Name(set)}, but the server's KV cache is {PrecisionFacts.Name(serverKv)} (cache_dtype '{Printable(dtype!)}'): the SOL uses --kv";
            Notices.Enqueue(new(ServerNoticeKind.Contradiction, _kvWarning));
        }
    }

    /// <summary>
    /// vLLM's <c>--kv-cache-dtype</c> values as a precision: <c>auto</c> is the model's dtype (null), every fp8 variant
    /// (<c>fp8</c>, <c>fp8_e4m3</c>, <c>fp8_e5m2</c>, <c>fp8_inc</c>, ...) is fp8, and the 16-bit names are themselves.
    /// </summary>
    public static (bool Known, Precision? Precision) KvPrecision(string dtype)
    {
        ArgumentNullException.ThrowIfNull(dtype);
        var d = dtype.Trim().ToLowerInvariant();
        return d switch
        {
            "auto" => (true, null),
            "bfloat16" or "bf16" => (true, Precision.Bf16),
            "float16" or "fp16" or "half" => (true, Precision.Fp16),
            _ when d == "fp8" || d.StartsWith("fp8_", StringComparison.Ordinal) || d.StartsWith("fp8-", StringComparison.Ordinal) => (true, Precision.Fp8),
            _ => (false, null),
        };
    }

    private static bool IsAuto(string? value) => string.Equals(value?.Trim(), "auto", StringComparison.OrdinalIgnoreCase);

    /// <summary>A server-supplied string as the log and the snapshot may show it: printable, bounded.</summary>
    private static string Printable(string text) => ServedModelResolver.Printable(text);
}
