using SolProfiler.Agent.Configuration;
using SolProfiler.Sol;
using SolProfiler.Sol.Hardware;
using SolProfiler.Sol.Models;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Agent.Analysis;

/// <summary>
/// The SOL model for the configured deployment. With <c>gpu: auto</c> the GPU is found from the device name the GPU
/// source reports, once, and cached; until then (or if the name is not in the catalog) there is no SOL and
/// <see cref="Problem"/> says why.
/// </summary>
public sealed class SolSetup
{
    private readonly AgentOptions _options;
    private readonly GpuCatalog _catalog;
    private readonly ModelArchitecture _model;
    private readonly PrecisionChoice _precisions;
    private readonly Lock _lock = new();
    private string? _detectedFrom;
    private string? _failedName;

    public SolSetup(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _catalog = CatalogFiles.Gpus(options.GpuFile);
        _model = ModelCatalog.BuiltIn.Resolve(options.Model!);
        _precisions = new PrecisionChoice(
            PrecisionFacts.ParseOptional(options.Weights, "weights"),
            PrecisionFacts.ParseOptional(options.ExpertWeights, "expertWeights"),
            PrecisionFacts.ParseOptional(options.Kv, "kv"),
            PrecisionFacts.ParseOptional(options.Activations, "activations"));
        Parallelism = new Parallelism(options.Tp, options.Pp, options.Ep, options.AttentionDp);
        if (!options.Gpu.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            Prepared = SolModel.Prepare(new SolConfiguration(_model, _catalog.Get(options.Gpu), Parallelism, _precisions, null));
        }
        else
        {
            Problem = "GPU type not known yet: waiting for the GPU source to report a device name (or set --gpu)";
        }
    }

    public Parallelism Parallelism { get; }

    public string ModelName => _model.Id;

    public PreparedSol? Prepared { get; private set; }

    public GpuSpec? Gpu => Prepared?.Configuration.Gpu;

    public string? DetectedFrom => _detectedFrom;

    public string? Problem { get; private set; }

    /// <summary>For <c>gpu: auto</c>: finds the catalog GPU for a device name. Returns true when this call set it up.</summary>
    public bool TryDetect(string deviceName)
    {
        lock (_lock)
        {
            if (Prepared is not null || deviceName == _failedName)
            {
                return false;
            }

            if (_catalog.DetectByDeviceName(deviceName) is not { } gpu)
            {
                _failedName = deviceName;
                Problem = $"GPU '{deviceName}' is not in the GPU catalog: set --gpu to one of {string.Join(", ", _catalog.Ids)}, or add it with --gpu-file";
                return false;
            }

            _detectedFrom = deviceName;
            try
            {
                Prepared = SolModel.Prepare(new SolConfiguration(_model, gpu, Parallelism, _precisions, null));
                Problem = null;
                return true;
            }
            catch (SolInputException e)
            {
                _failedName = deviceName;
                Problem = $"the SOL model cannot be set up for {gpu.Id}: {e.Message}";
                return false;
            }
        }
    }
}
