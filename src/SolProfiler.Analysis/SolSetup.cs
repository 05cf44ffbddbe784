using SolProfiler.Sol;
using SolProfiler.Sol.Hardware;
using SolProfiler.Sol.Models;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Analysis;

/// <summary>
/// The SOL model for the configured deployment, set up once every input is known. What the user left to the sources
/// is awaited: with <c>gpu: auto</c> the GPU from the device name the GPU source reports; with <c>model: auto</c> the
/// model from what the server says it serves (<see cref="ServerFacts"/>); with TP unset the GPU count the GPU source
/// sees; with <c>--kv</c> unset the KV dtype of the first scrape. Until then there is no SOL and <see cref="Problem"/>
/// says what is awaited (or what was found and could not be used).
/// </summary>
public sealed class SolSetup
{
    private readonly DeploymentSettings _options;
    private readonly GpuCatalog _catalog;
    private readonly Lock _lock = new();
    private readonly Precision? _weights;
    private readonly Precision? _expertWeights;
    private readonly Precision? _activations;
    private readonly Precision? _dispatch;
    private ModelArchitecture? _model;
    private string? _modelProblem;
    private GpuSpec? _gpu;
    private string? _gpuProblem;
    private string? _detectedFrom;
    private string? _failedName;
    private int? _tp;
    private string? _tpProblem;
    private Precision? _kv;
    private string? _kvProblem;

    /// <param name="options">The deployment as validated options give it.</param>
    /// <param name="catalog">The GPU catalog, with the user's GPU file applied.</param>
    /// <param name="awaitGpuCount">TP unset and a GPU source present: TP is the GPU count it reports (else TP 1).</param>
    /// <param name="awaitServerKv">--kv unset and a serving source present: the KV dtype is what its first scrape tells.</param>
    public SolSetup(DeploymentSettings options, GpuCatalog catalog, bool awaitGpuCount = false, bool awaitServerKv = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(catalog);
        _options = options;
        _catalog = catalog;
        _weights = PrecisionRoles.ParseOptional(options.Weights, PrecisionRole.Weights);
        _expertWeights = PrecisionRoles.ParseOptional(options.ExpertWeights, PrecisionRole.ExpertWeights);
        _kv = PrecisionRoles.ParseOptional(options.Kv, PrecisionRole.Kv);
        _activations = PrecisionRoles.ParseOptional(options.Activations, PrecisionRole.Activations);
        _dispatch = PrecisionRoles.ParseOptional(options.Dispatch, PrecisionRole.Dispatch);
        if (IsAuto(options.Model))
        {
            _modelProblem = "model not known yet: waiting for the serving source to tell the served model (or set --model ID|path/to/config.json)";
        }
        else
        {
            _model = ModelCatalog.BuiltIn.Resolve(options.Model!);
        }

        if (IsAuto(options.Gpu))
        {
            _gpuProblem = "GPU type not known yet: waiting for the GPU source to report a device name (or set --gpu)";
        }
        else
        {
            _gpu = _catalog.Get(options.Gpu);
        }

        _tp = options.Tp ?? (awaitGpuCount ? null : 1);
        _tpProblem = _tp is null ? "GPU count not known yet: waiting for the GPU source to report its GPUs, taken as TP (or set --tp)" : null;
        _kvProblem = options.Kv is null && awaitServerKv ? "KV-cache dtype not known yet: waiting for the first scrape (or set --kv)" : null;
        if (_model is not null && _gpu is not null && _tp is not null)
        {
            // What the user gave whole is set up now, so that a configuration the SOL model rejects (TP that does not
            // divide the heads, a model that does not fit) fails at start, naming the problem; only the KV dtype may
            // still come from the server, and it changes no such check.
            var prepared = SolModel.Prepare(Configuration(_model, _gpu));
            Prepared = _kvProblem is null ? prepared : null;
        }

        Prepare();
    }

    /// <summary>TP from <c>--tp</c> or the GPU count (1 while awaited), with PP, EP and attention-DP as set.</summary>
    /// <summary>The deployment as the user described it (what is unset there is what the sources are to tell).</summary>
    public DeploymentSettings Deployment => _options;

    public Parallelism Parallelism => new(_tp ?? 1, _options.Pp, _options.Ep, _options.AttentionDp);

    /// <summary>The model's id, or <c>auto</c> while it is awaited.</summary>
    public string ModelName => _model?.Id ?? "auto";

    public ModelArchitecture? Model => _model;

    /// <summary>How the model was found from what the server serves (null when the user named it).</summary>
    public string? ModelFrom { get; private set; }

    /// <summary>True while the model is not known (model: auto, nothing usable told yet).</summary>
    public bool ModelAwaited => _model is null;

    /// <summary>True while TP waits for the GPU count.</summary>
    public bool TpAwaited => _tp is null;

    /// <summary>True while the KV dtype waits for the first scrape.</summary>
    public bool KvAwaited => _kvProblem is not null;

    public PreparedSol? Prepared { get; private set; }

    public GpuSpec? Gpu => _gpu;

    public string? DetectedFrom => _detectedFrom;

    /// <summary>Why there is no SOL: the first input still awaited, or why the SOL could not be set up.</summary>
    public string? Problem { get; private set; }

    /// <summary>Why the GPU type is not known after a device name was reported (for its one log line).</summary>
    public string? GpuProblem => _gpu is null && _failedName is not null ? _gpuProblem : null;

    /// <summary>For <c>gpu: auto</c>: finds the catalog GPU for a device name. Returns true when this call found it.</summary>
    public bool TryDetect(string deviceName)
    {
        lock (_lock)
        {
            if (_gpu is not null || deviceName == _failedName)
            {
                return false;
            }

            if (_catalog.DetectByDeviceName(deviceName) is not { } gpu)
            {
                _failedName = deviceName;
                _gpuProblem = $"GPU '{deviceName}' is not in the GPU catalog: set --gpu to one of {string.Join(", ", _catalog.Ids)}, or add it with --gpu-file";
                Prepare();
                return false;
            }

            _detectedFrom = deviceName;
            _gpu = gpu;
            _gpuProblem = null;
            Prepare();
            return true;
        }
    }

    /// <summary>For <c>model: auto</c>: the model found from what the server serves, and how.</summary>
    public void SetModel(ModelArchitecture model, string from)
    {
        ArgumentNullException.ThrowIfNull(model);
        lock (_lock)
        {
            if (_model is null)
            {
                _model = model;
                ModelFrom = from;
                _modelProblem = null;
                Prepare();
            }
        }
    }

    /// <summary>For <c>model: auto</c>: what the server serves cannot be used; <paramref name="problem"/> says what was found and which flag resolves it.</summary>
    public void ModelUnresolved(string problem)
    {
        lock (_lock)
        {
            if (_model is null)
            {
                _modelProblem = problem;
                Prepare();
            }
        }
    }

    /// <summary>For TP unset: TP from the GPU count the GPU source sees.</summary>
    public void SetTp(int tp)
    {
        lock (_lock)
        {
            if (_tp is null && tp >= 1)
            {
                _tp = tp;
                _tpProblem = null;
                Prepare();
            }
        }
    }

    /// <summary>For --kv unset: the KV dtype the server told (null: the model's dtype, as without a server).</summary>
    public void SettleKv(Precision? kv)
    {
        lock (_lock)
        {
            if (_kvProblem is not null)
            {
                _kv = kv;
                _kvProblem = null;
                Prepare();
            }
        }
    }

    private void Prepare()
    {
        if (Prepared is not null)
        {
            return;
        }

        Problem = _modelProblem ?? _gpuProblem ?? _tpProblem ?? _kvProblem;
        if (Problem is not null || _model is null || _gpu is null)
        {
            return;
        }

        try
        {
            Prepared = SolModel.Prepare(Configuration(_model, _gpu));
        }
        catch (SolInputException e)
        {
            // Only reachable when an input came from a source (a configuration the user gave whole is prepared, or
            // rejected, at start): say which model and GPUs it was.
            Problem = $"the SOL model cannot be set up for {_model.Id} on {Parallelism.Tp * Parallelism.Pp} x {_gpu.Id}: {e.Message}";
        }
    }

    private SolConfiguration Configuration(ModelArchitecture model, GpuSpec gpu) =>
        new(model, gpu, Parallelism, new PrecisionChoice(_weights, _expertWeights, _kv, _activations, _dispatch), null);

    private static bool IsAuto(string? value) => string.Equals(value?.Trim(), "auto", StringComparison.OrdinalIgnoreCase);
}
