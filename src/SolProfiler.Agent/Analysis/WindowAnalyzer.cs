using SolProfiler.Agent.Hosting;
using SolProfiler.Agent.Sources;
using SolProfiler.Agent.Window;
using SolProfiler.Sol;
using SolProfiler.Sol.Modeling;
using SolProfiler.Telemetry.Serving.Rates;

namespace SolProfiler.Agent.Analysis;

/// <summary>
/// The pipeline of DESIGN section 1 for one tick: drain the inbox into the windows, join the rates into an operating
/// point, evaluate the SOL there, take the gap, and assemble the snapshot. Owned by the analysis loop (one thread).
/// </summary>
public sealed class WindowAnalyzer
{
    private static readonly int[] DefaultFrontier = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
    private const double DefaultFrontierContext = 1024;

    private readonly AgentRuntime _runtime;
    private readonly SampleInbox _inbox;
    private readonly ServingWindow _serving;
    private readonly GpuWindow _gpu;
    private (PreparedSol Sol, double Context, IReadOnlyList<FrontierPoint> Points)? _frontierCache;

    public WindowAnalyzer(AgentRuntime runtime, SampleInbox inbox)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        _runtime = runtime;
        _inbox = inbox;
        _serving = new ServingWindow(runtime.Options.Window);
        _gpu = new GpuWindow(runtime.Options.Window);
    }

    /// <summary>Set when this tick's analysis found the GPU type from the device name (for a log line).</summary>
    public string? JustDetected { get; private set; }

    public AgentSnapshot Analyze(DateTimeOffset now)
    {
        foreach (var samples in _inbox.DrainServing())
        {
            _serving.Add(samples);
        }

        foreach (var snapshot in _inbox.DrainGpu())
        {
            _gpu.Add(snapshot);
        }

        var options = _runtime.Options;
        var sol = _runtime.Sol;
        var latestGpu = _inbox.LatestGpu;
        JustDetected = null;
        _runtime.ServerFacts.Apply(_inbox.LatestServing, latestGpu);
        if (sol.Prepared is null && latestGpu?.Gpus.FirstOrDefault(g => g.Name is not null)?.Name is { } deviceName && sol.TryDetect(deviceName))
        {
            JustDetected = deviceName;
        }

        var servingRates = _serving.Rates(now);
        var gpuUp = _runtime.GpuHealth?.Up ?? false;
        var gpuRates = gpuUp ? _gpu.Rates(now) : [];
        var bandwidth = sol.Gpu?.MemoryBandwidthBytesPerSecond.Value ?? double.NaN;
        var measurement = OperatingPointBuilder.Build(
            now - options.Window, now, servingRates, gpuRates, sol.Parallelism.GpusPerReplica, bandwidth, options.Gap.MinTokenObservations, options.Context);
        var point = measurement.Point with
        {
            HbmBytesPerSecondPerGpu = double.IsFinite(bandwidth) ? measurement.Point.HbmBytesPerSecondPerGpu : null,
        };

        var invalid = InvalidReason(measurement, point);
        var warnings = new List<string>();
        if (_runtime.GpuHealth is { Up: false, LastError: { } gpuError })
        {
            warnings.Add("GPU source down: " + gpuError);
        }

        warnings.AddRange(_runtime.ServerFacts.Warnings);

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
            Valid = invalid is null,
            InvalidReason = invalid,
            Configuration = Summary(),
            OperatingPoint = point,
            Sol = solRecord,
            Gap = gap,
            Sources = _runtime.Sources.Select(s => s.Status()).ToArray(),
            Frontier = Frontier(point.ContextTokens),
            Gpus = latestGpu?.Gpus.Select(g => new GpuStatus(g.Index, g.Name, g.PowerWatts, g.PowerLimitWatts, g.GraphicsActiveRatio, g.DramActiveRatio, g.TensorActiveRatio, g.ThrottleReasons)).ToArray() ?? [],
            Warnings = warnings,
        };
    }

    private string? InvalidReason(WindowMeasurement measurement, OperatingPoint point)
    {
        if (_runtime.ServingHealth is null)
        {
            return "no serving source configured (--serving-url): the step time cannot be measured";
        }

        var serving = _runtime.ServingHealth.Status();
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

        if (_runtime.Sol.Prepared is null)
        {
            return _runtime.Sol.Problem;
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

    private ConfigurationSummary Summary()
    {
        var o = _runtime.Options;
        var sol = _runtime.Sol;
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
            _runtime.ServingHealth?.Backend,
            o.Demo);
    }

    /// <summary>The SOL frontier at the measured context (or 1,024 tokens before there is one), cached per 64 tokens.</summary>
    private IReadOnlyList<FrontierPoint> Frontier(double? context)
    {
        if (_runtime.Sol.Prepared is not { } prepared)
        {
            return [];
        }

        var ctx = Math.Max(64, Math.Round((context ?? DefaultFrontierContext) / 64) * 64);
        if (_frontierCache is { } cached && ReferenceEquals(cached.Sol, prepared) && cached.Context == ctx)
        {
            return cached.Points;
        }

        var batches = _runtime.Options.FrontierBatches.Count > 0 ? _runtime.Options.FrontierBatches.Distinct().Order().ToArray() : DefaultFrontier;
        var points = batches.Select(b => prepared.Evaluate(b, ctx)).Select(r => new FrontierPoint(r.Batch, r.TokensPerSecondPerUser, r.TokensPerSecondPerGpu, r.Fits)).ToArray();
        _frontierCache = (prepared, ctx, points);
        return points;
    }
}
