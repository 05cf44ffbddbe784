using SolProfiler.Analysis.Windows;
using SolProfiler.Sol;
using SolProfiler.Sol.Modeling;
using SolProfiler.Telemetry.Gpu;
using SolProfiler.Telemetry.Serving;

namespace SolProfiler.Analysis;

/// <summary>
/// The pipeline of DESIGN section 1 for one tick: the reads added since the last tick go into the windows, the rates
/// are joined into an operating point, the SOL is evaluated there, the gap taken and the snapshot assembled. Owned by
/// one loop (one thread); it does no I/O: the caller adds the reads and says how the sources are.
/// </summary>
public sealed class WindowAnalyzer
{
    private static readonly int[] DefaultFrontier = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
    private const double DefaultFrontierContext = 1024;

    private readonly AnalysisSettings _settings;
    private readonly SolSetup _sol;
    private readonly ServerFacts _facts;
    private readonly ServingWindow _serving;
    private readonly GpuWindow _gpu;
    private (PreparedSol Sol, double Context, IReadOnlyList<FrontierPoint> Points)? _frontierCache;
    private IReadOnlyList<ServingSample>? _latestServing;
    private GpuSnapshot? _latestGpu;

    public WindowAnalyzer(AnalysisSettings settings, SolSetup sol, ServerFacts facts)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(sol);
        ArgumentNullException.ThrowIfNull(facts);
        _settings = settings;
        _sol = sol;
        _facts = facts;
        _serving = new ServingWindow(settings.Window);
        _gpu = new GpuWindow(settings.Window);
    }

    /// <summary>Set when this tick's analysis found the GPU type from the device name (for a log line).</summary>
    public string? JustDetected { get; private set; }

    /// <summary>One scrape's samples, in the order they were read.</summary>
    public void Add(IReadOnlyList<ServingSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        _latestServing = samples;
        _serving.Add(samples);
    }

    /// <summary>One GPU read, in the order they were read (a read of a source that is down only counts as such).</summary>
    public void Add(GpuSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (!snapshot.Down)
        {
            _latestGpu = snapshot;
        }

        _gpu.Add(snapshot);
    }

    /// <param name="now">The end of the window.</param>
    /// <param name="serving">The serving source's health; null without a serving source.</param>
    /// <param name="gpu">The GPU source's health; null without a GPU source.</param>
    public AgentSnapshot Analyze(DateTimeOffset now, SourceStatus? serving, SourceStatus? gpu)
    {
        var options = _settings;
        var sol = _sol;
        var gpuUp = gpu?.Up ?? false;
        var latestGpu = gpuUp ? _latestGpu : null; // a source that went down shows no stale GPUs
        JustDetected = null;
        _facts.Apply(_latestServing, latestGpu);
        if (sol.Prepared is null && latestGpu?.Gpus.FirstOrDefault(g => g.Name is not null)?.Name is { } deviceName && sol.TryDetect(deviceName))
        {
            JustDetected = deviceName;
        }

        var servingRates = _serving.Rates(now);
        var gpuRates = gpuUp ? _gpu.Rates(now) : [];
        var bandwidth = sol.Gpu?.MemoryBandwidthBytesPerSecond.Value ?? double.NaN;
        // The window is the span of what it holds: at start, two scrapes make a measurement, over the time between them.
        var span = servingRates.Count == 0 ? TimeSpan.Zero : servingRates.Max(r => r.Covered);
        var measurement = OperatingPointBuilder.Build(
            now - span, now, servingRates, gpuRates, sol.Parallelism.GpusPerReplica, bandwidth, options.Gap.MinTokenObservations, options.Context);
        var point = measurement.Point with
        {
            HbmBytesPerSecondPerGpu = double.IsFinite(bandwidth) ? measurement.Point.HbmBytesPerSecondPerGpu : null,
        };

        var invalid = InvalidReason(serving, measurement);
        var warnings = new List<string>();
        if (gpu is { Up: false, LastError: { } gpuError })
        {
            warnings.Add("GPU source down: " + gpuError);
        }

        warnings.AddRange(_facts.Warnings);
        foreach (var reset in gpuRates.SelectMany(g => g.CounterResets.Select(c => (g.Index, Counter: c))))
        {
            warnings.Add($"GPU {reset.Index}: its {reset.Counter} counter went backwards in the window (a driver reload or GPU reset); counted from zero, as Prometheus's increase() does");
        }

        if (measurement.Valid)
        {
            warnings.AddRange(EstimateWarnings(point, options.Context));
        }

        SolResultRecord? solRecord = null;
        GapSummary? gap = null;
        if (invalid is null && sol.Prepared is { } prepared)
        {
            var load = MeasuredStepLoad.From(point, prepared, warnings);
            var result = FractionalBatch.Evaluate(prepared, point.Batch!.Value, point.ContextTokens!.Value, load);
            var analysis = GapAnalyzer.Analyze(point, result, options.Gap);
            var solAtInteractivity = ParetoDistance.SolTokensPerSecondPerGpuAt(prepared, point.TokensPerSecondPerUser!.Value, point.ContextTokens!.Value, load);
            analysis = analysis with
            {
                SolTokensPerSecondPerGpuAtMeasuredInteractivity = solAtInteractivity,
                ParetoGapRatio = solAtInteractivity is > 0 && point.TokensPerSecondPerGpu is { } measuredPerGpu ? measuredPerGpu / solAtInteractivity : null,
            };
            solRecord = SolResultRecord.From(prepared, result);
            gap = GapSummary.From(analysis);
            warnings.AddRange(analysis.Warnings);
        }

        return new AgentSnapshot
        {
            Timestamp = now,
            WindowSeconds = options.Window.TotalSeconds,
            SpanSeconds = span.TotalSeconds,
            Valid = invalid is null,
            InvalidReason = invalid,
            Configuration = Summary(serving?.Backend),
            OperatingPoint = point,
            Sol = solRecord,
            Gap = gap,
            Sources = new[] { serving, gpu }.OfType<SourceStatus>().ToArray(),
            Frontier = Frontier(point.ContextTokens),
            Gpus = latestGpu?.Gpus.Select(g => new GpuStatus(g.Index, g.Name, g.PowerWatts, g.PowerLimitWatts, g.GraphicsActiveRatio, g.DramActiveRatio, g.TensorActiveRatio, g.ThrottleReasons)).ToArray() ?? [],
            Warnings = warnings,
        };
    }

    private string? InvalidReason(SourceStatus? serving, WindowMeasurement measurement)
    {
        if (serving is null)
        {
            return "no serving source configured (--serving-url): the step time cannot be measured";
        }

        if (serving is { LastSuccess: null, LastError: null })
        {
            return $"waiting for the first scrape of {serving.Url}";
        }

        if (!serving.Up)
        {
            return "serving source down" + (serving.LastError is { } e ? ": " + e : "");
        }

        if (!measurement.Valid)
        {
            return measurement.InvalidReason;
        }

        if (_sol.Prepared is null)
        {
            return _sol.Problem;
        }

        return null;
    }

    /// <summary>What the user should know about the estimates a valid window rests on: defaults and dropped counters.</summary>
    private static IEnumerable<string> EstimateWarnings(OperatingPoint point, double defaultContext)
    {
        if (point.ContextSource == EngineEstimate.ConfiguredDefault)
        {
            yield return $"mean context assumed {defaultContext:0} tokens (--context): the server publishes no KV usage with capacity, slots or request counters";
        }

        foreach (var w in point.EstimateWarnings)
        {
            yield return w;
        }
    }

    private ConfigurationSummary Summary(string? servingBackend)
    {
        var o = _sol.Deployment;
        var sol = _sol;
        var p = sol.Prepared;
        return new ConfigurationSummary(
            sol.ModelName,
            sol.Gpu?.Id,
            sol.Gpu?.Name,
            sol.DetectedFrom,
            sol.Parallelism.Tp,
            o.Pp,
            o.Ep,
            o.AttentionDp,
            sol.Parallelism.GpusPerReplica,
            p is null ? o.Weights : PrecisionFacts.Name(p.Precisions.Weights),
            p is null ? o.Kv : PrecisionFacts.Name(p.Precisions.Kv),
            p is null ? o.Activations : PrecisionFacts.Name(p.Precisions.Activations),
            servingBackend,
            _settings.Demo);
    }

    /// <summary>The SOL frontier at the measured context (or 1,024 tokens before there is one), cached per 64 tokens.</summary>
    private IReadOnlyList<FrontierPoint> Frontier(double? context)
    {
        if (_sol.Prepared is not { } prepared)
        {
            return [];
        }

        var ctx = Math.Max(64, Math.Round((context ?? DefaultFrontierContext) / 64) * 64);
        if (_frontierCache is { } cached && ReferenceEquals(cached.Sol, prepared) && cached.Context == ctx)
        {
            return cached.Points;
        }

        var batches = _settings.FrontierBatches.Count > 0 ? _settings.FrontierBatches.Distinct().Order().ToArray() : DefaultFrontier;
        var points = batches.Select(b => prepared.Evaluate(b, ctx)).Select(r => new FrontierPoint(r.Batch, r.TokensPerSecondPerUser, r.TokensPerSecondPerGpu, r.Fits)).ToArray();
        _frontierCache = (prepared, ctx, points);
        return points;
    }
}
