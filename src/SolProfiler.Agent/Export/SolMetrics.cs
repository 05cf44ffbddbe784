using System.Diagnostics.Metrics;
using System.Globalization;
using SolProfiler.Analysis;
using SolProfiler.Agent.Hosting;
using SolProfiler.Agent.Sources;

namespace SolProfiler.Agent.Export;

/// <summary>
/// The agent's OpenTelemetry instruments. Names and units are chosen so the Prometheus exporter writes exactly the
/// <c>sol_*</c> names of DESIGN section 5 (unit "1" adds no suffix, "s" adds _seconds, "By/s" _bytes_per_second,
/// counters get _total). Observable instruments read the latest snapshot at scrape time and return nothing for a
/// window without a valid measurement, so those series are absent rather than zero or stale.
/// </summary>
public sealed class SolMetrics : IDisposable
{
    public const string MeterName = "SolProfiler.Agent";

    private readonly Meter _meter;
    private readonly SnapshotStore _store;
    private readonly SampleInbox _inbox;
    private readonly SourceHealthSet _health;
    private readonly Counter<long> _errors;

    public SolMetrics(IMeterFactory meterFactory, SnapshotStore store, SampleInbox inbox, SourceHealthSet health, AnalysisSettings settings)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(health);
        ArgumentNullException.ThrowIfNull(settings);
        _store = store;
        _inbox = inbox;
        _health = health;
        _meter = meterFactory.Create(MeterName);

        _meter.CreateObservableGauge("sol.info", Info, null, "The configuration the SOL is computed for (value 1).");
        _meter.CreateObservableGauge("sol.model.step", () => FromSol(s => [new(s.Seconds.Step)]), "s", "SOL time of one decode step at the measured operating point.");
        _meter.CreateObservableGauge("sol.model.component", () => FromSol(s =>
        [
            new(s.Seconds.Weights, Tag("component", "weights")),
            new(s.Seconds.Kv, Tag("component", "kv")),
            new(s.Seconds.Compute, Tag("component", "compute")),
            new(s.Seconds.Comm, Tag("component", "comm")),
            new(s.Seconds.Energy, Tag("component", "energy")),
            new(s.Seconds.Prefill, Tag("component", "prefill")),
        ]), "s", "SOL time of each component of a decode step (weights and KV from HBM, compute, communication, energy bound; prefill: what the step's prompt tokens add).");
        _meter.CreateObservableGauge("sol.model.bound_info", () => FromSol(s => [new(1, Tag("bound", s.Bound.ToString().ToLowerInvariant()))]), null, "The term that sets the SOL step (value 1).");
        _meter.CreateObservableGauge("sol.measured.step", () => FromGap(g => [new(g.MeasuredStepSeconds)]), "s", "Measured mean decode step over the window (the server's inter-token latency).");
        _meter.CreateObservableGauge("sol.efficiency_ratio", () => FromGap(g => [new(g.Efficiency)]), "1", "SOL step / measured step; above 1 means the configuration or the model is wrong.");
        _meter.CreateObservableGauge("sol.gap", () => FromGap(g => g.Causes.ByLabel().Select(c => new Measurement<double>(c.Seconds, Tag("cause", c.Cause)))), "s", "Measured step minus SOL step, by cause; with the SOL step they sum to the measured step.");
        _meter.CreateObservableGauge("sol.batch_size", () => FromPoint(p => p.Batch), "{sequence}", "Mean sequences in the running batch of one replica over the window.");
        _meter.CreateObservableGauge("sol.context_tokens", () => FromPoint(p => p.ContextTokens), "{token}", "Mean context per running sequence over the window.");
        _meter.CreateObservableGauge("sol.prefill_tokens_per_step", () => FromPoint(p => p.PrefillTokensPerStep), "{token}", "Computed prompt tokens (prefix-cache hits excluded) batched into each engine step over the window (chunked prefill).");
        _meter.CreateObservableGauge("sol.tokens_per_step", () => FromPoint(p => p.EmittedTokensPerStep), "{token}", "Tokens each sequence emits per engine step over the window (accepted drafts + 1 under speculative decoding, else 1).");
        _meter.CreateObservableGauge("sol.tokens_per_second_per_user", () => MeasuredAndSol(p => p.TokensPerSecondPerUser, s => s.TokensPerSecondPerUser), "1", "Output tokens per second per sequence (interactivity), measured and SOL.");
        _meter.CreateObservableGauge("sol.tokens_per_second_per_gpu", () => MeasuredAndSol(p => p.TokensPerSecondPerGpu, s => s.TokensPerSecondPerGpu), "1", "Output tokens per second per GPU (throughput), measured and SOL.");
        _meter.CreateObservableGauge("sol.pareto_gap_ratio", () => FromGap(g => g.ParetoGapRatio is { } r ? [new(r)] : []), "1", "Measured tokens/s/GPU over the SOL's tokens/s/GPU at the measured tokens/s/user.");
        _meter.CreateObservableGauge("sol.energy_per_token", () => MeasuredAndSol(p => p.JoulesPerToken, s => s.JoulesPerToken), "J", "Energy per output token over the replica's GPUs, measured and SOL.");
        _meter.CreateObservableGauge("sol.hbm", () => Pair(p => p.HbmBytesPerSecondPerGpu, "measured", s => (s.WeightBytesPerGpu + s.KvBytesPerGpu) / MeasuredStep(), "required"), "By/s", "HBM bytes per second per GPU: measured (DRAM activity x peak) and what the SOL needs at the measured step rate.");
        _meter.CreateObservableGauge("sol.nvlink", () => Pair(p => p.NvlinkBytesPerSecondPerGpu, "measured", s => s.CommBytesPerGpu / MeasuredStep(), "modeled"), "By/s", "NVLink bytes sent per second per GPU: measured and modeled at the measured step rate.");
        _meter.CreateObservableGauge("sol.frontier.tokens_per_second_per_user", () => Frontier(f => f.TokensPerSecondPerUser), "1", "SOL frontier: tokens/s/user at each batch size (fitting points only).");
        _meter.CreateObservableGauge("sol.frontier.tokens_per_second_per_gpu", () => Frontier(f => f.TokensPerSecondPerGpu), "1", "SOL frontier: tokens/s/GPU at each batch size (fitting points only).");

        _meter.CreateObservableGauge("sol.gpu.power", () => PerGpu(g => g.PowerWatts), "W", "GPU power draw.");
        _meter.CreateObservableCounter("sol.gpu.energy", () => PerGpu(g => g.EnergyJoules), "J", "GPU energy since the driver loaded.");
        _meter.CreateObservableGauge("sol.gpu.dram_active_ratio", () => PerGpu(g => g.DramActiveRatio), "1", "Fraction of cycles the HBM interface was busy.");
        _meter.CreateObservableGauge("sol.gpu.graphics_active_ratio", () => PerGpu(g => g.GraphicsActiveRatio), "1", "Fraction of time the GPU ran any kernel.");
        _meter.CreateObservableGauge("sol.gpu.tensor_active_ratio", () => PerGpu(g => g.TensorActiveRatio), "1", "Fraction of cycles the tensor pipes were busy.");
        _meter.CreateObservableCounter("sol.gpu.nvlink", NvlinkBytes, "By", "NVLink bytes since start, all links, by direction.");

        _meter.CreateObservableGauge("sol.source.up", SourcesUp, "1", "1 when the source's last read succeeded, 0 when it failed.");
        _errors = _meter.CreateCounter<long>("sol.source.errors", "{error}", "Failed reads by source and reason.");
        _meter.CreateObservableGauge("sol.window", () => settings.Window.TotalSeconds, "s", "Length of the sliding window the operating point is measured over.");

        foreach (var source in health.All)
        {
            source.ErrorCounted += CountError;

            // Every (source, reason) pair starts at 0, so rate() and alerts see a series before the first error.
            foreach (var reason in ErrorReasons(source.Source))
            {
                _errors.Add(0, Tag("source", source.Source), Tag("reason", reason));
            }
        }
    }

    /// <summary>The bounded set of reasons a source's errors are counted by.</summary>
    public static IEnumerable<string> ErrorReasons(string source) => source == "serving"
        ? Enum.GetValues<Telemetry.Serving.Scraping.FetchFailureKind>()
            .Where(k => k != Telemetry.Serving.Scraping.FetchFailureKind.None)
            .Select(Telemetry.Serving.Scraping.FetchFailureKinds.Label)
            .Append("exception")
        : ["unavailable", "partial", "exception"];

    private void CountError(string source, string reason) => _errors.Add(1, Tag("source", source), Tag("reason", reason));

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);

    private IEnumerable<Measurement<int>> Info()
    {
        var c = _store.Latest?.Configuration;
        if (c is null)
        {
            return [];
        }

        return
        [
            new(1,
                Tag("model", c.Model),
                Tag("gpu_type", c.Gpu ?? "unknown"),
                Tag("tp", c.Tp.ToString(CultureInfo.InvariantCulture)),
                Tag("pp", c.Pp.ToString(CultureInfo.InvariantCulture)),
                Tag("ep", c.Ep.ToString(CultureInfo.InvariantCulture)),
                Tag("server", c.Server ?? "none"),
                Tag("weights", c.Weights ?? "default"),
                Tag("kv", c.Kv ?? "default")),
        ];
    }

    /// <summary>
    /// The latest snapshot when it holds a valid measurement and the serving source is still up: a scrape that
    /// lands between a failed read and the next analysis must not show the previous window's gap as current.
    /// </summary>
    private AgentSnapshot? Valid => _store.Latest is { Valid: true } s && _health.Serving?.Up != false ? s : null;

    private double MeasuredStep() => Valid?.Gap?.MeasuredStepSeconds ?? double.NaN;

    private Measurement<double>[] FromSol(Func<Sol.Modeling.SolResultRecord, Measurement<double>[]> f) =>
        Valid?.Sol is { } sol ? f(sol) : [];

    private IEnumerable<Measurement<double>> FromGap(Func<GapSummary, IEnumerable<Measurement<double>>> f) =>
        Valid?.Gap is { } gap ? f(gap) : [];

    private IEnumerable<Measurement<double>> FromPoint(Func<OperatingPoint, double?> f) =>
        Valid?.OperatingPoint is { } p && f(p) is { } v ? [new(v)] : [];

    private IEnumerable<Measurement<double>> MeasuredAndSol(Func<OperatingPoint, double?> measured, Func<Sol.Modeling.SolResultRecord, double> sol) =>
        Pair(measured, "measured", sol, "sol");

    private IEnumerable<Measurement<double>> Pair(Func<OperatingPoint, double?> measured, string measuredKind, Func<Sol.Modeling.SolResultRecord, double> model, string modelKind)
    {
        if (Valid is not { OperatingPoint: { } p, Sol: { } s })
        {
            yield break;
        }

        if (measured(p) is { } m && double.IsFinite(m))
        {
            yield return new(m, Tag("kind", measuredKind));
        }

        var v = model(s);
        if (double.IsFinite(v))
        {
            yield return new(v, Tag("kind", modelKind));
        }
    }

    private IEnumerable<Measurement<double>> Frontier(Func<FrontierPoint, double> f) =>
        (_store.Latest?.Frontier ?? []).Where(p => p.Fits).Select(p => new Measurement<double>(f(p), Tag("batch", p.Batch.ToString(CultureInfo.InvariantCulture))));

    private IEnumerable<Measurement<double>> PerGpu(Func<Telemetry.Gpu.GpuSample, double?> f)
    {
        if (_inbox.LatestGpu is not { } snapshot)
        {
            yield break;
        }

        foreach (var g in snapshot.Gpus)
        {
            if (f(g) is { } v && double.IsFinite(v))
            {
                yield return new(v, Tag("gpu", g.Index.ToString(CultureInfo.InvariantCulture)));
            }
        }
    }

    private IEnumerable<Measurement<double>> NvlinkBytes()
    {
        if (_inbox.LatestGpu is not { } snapshot)
        {
            yield break;
        }

        foreach (var g in snapshot.Gpus)
        {
            var gpu = Tag("gpu", g.Index.ToString(CultureInfo.InvariantCulture));
            if (g.NvlinkTxBytes is { } tx && double.IsFinite(tx))
            {
                yield return new(tx, gpu, Tag("direction", "tx"));
            }

            if (g.NvlinkRxBytes is { } rx && double.IsFinite(rx))
            {
                yield return new(rx, gpu, Tag("direction", "rx"));
            }
        }
    }

    private IEnumerable<Measurement<int>> SourcesUp() =>
        _health.All.Select(s => new Measurement<int>(s.Up ? 1 : 0, Tag("source", s.Source)));

    public void Dispose()
    {
        foreach (var source in _health.All)
        {
            source.ErrorCounted -= CountError;
        }

        _meter.Dispose();
    }
}
