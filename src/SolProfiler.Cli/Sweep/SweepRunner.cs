using SolProfiler.Analysis;
using SolProfiler.Cli.Common;
using SolProfiler.Sol.Modeling;
using SolProfiler.Telemetry.Gpu;
using SolProfiler.Telemetry.Probe;

namespace SolProfiler.Cli.Sweep;

/// <summary>
/// Runs the levels one after another. A level whose error ratio exceeds the limit ends the sweep; cancellation
/// (Ctrl-C) ends it too, keeping the finished levels. Both set <see cref="SweepResult.StoppedEarly"/>.
/// </summary>
public sealed class SweepRunner(SweepSettings settings, PreparedSol sol, HttpClient http, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>Told when a level starts (concurrency) and as each measured request finishes.</summary>
    public ISweepProgress? Progress { get; init; }

    /// <summary>The GPUs' telemetry for power and J/token; null for none.</summary>
    public IGpuSource? GpuSource { get; init; }

    public async Task<SweepResult> RunAsync(CancellationToken cancellationToken)
    {
        var startedAt = _time.GetUtcNow();
        var probe = new StreamingProbe(http, new ProbeOptions
        {
            Endpoint = settings.Endpoint,
            Model = settings.ServedModel,
            Prompt = SyntheticPrompt.Create(settings.InputTokens),
            MaxTokens = settings.OutputTokens,
            MinTokens = settings.OutputTokens,
            IgnoreEos = true,
            RequestTimeout = settings.RequestTimeout,
        }, _time);
        var levels = new List<SweepLevelResult>();
        string? stopReason = null;
        foreach (var c in settings.Concurrency)
        {
            try
            {
                levels.Add(await RunLevelAsync(probe, c, cancellationToken).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                stopReason = "cancelled";
                break;
            }

            var last = levels[^1];
            Progress?.LevelDone(last);
            // Past the error ratio the sweep stops; after the last level there is nothing left to skip.
            if (last.Requests > 0 && (double)last.Errors / last.Requests > settings.MaxErrorRatio && levels.Count < settings.Concurrency.Count)
            {
                stopReason = $"errors in {last.Errors} of {last.Requests} requests at concurrency {c} exceed the limit {settings.MaxErrorRatio}";
                break;
            }
        }

        return new SweepResult(
            SweepResult.KindName, SweepFiles.Version, startedAt, _time.GetUtcNow(), settings.Endpoint.ToString(), settings.ServedModel,
            new SweepConfiguration(settings.SolModel ?? settings.ServedModel, sol.Configuration.Gpu.Id, settings.Tp, settings.Pp, settings.Ep, settings.AttentionDp, Name(settings.Precisions.Weights), Name(settings.Precisions.Kv), Name(settings.Precisions.Activations), settings.GpusPerReplica)
            {
                ExpertWeights = Name(settings.Precisions.ExpertWeights),
                Dispatch = Name(settings.Precisions.Dispatch),
                GpuFile = settings.GpuFile,
            },
            new SweepSettingsRecord(settings.Concurrency, settings.Duration?.TotalSeconds, settings.Requests, settings.Warmup.TotalSeconds, settings.InputTokens,
                settings.OutputTokens, settings.MetricsUrl?.ToString(), GpuSource?.Backend, SyntheticPrompt.TokenCounting, settings.MaxErrorRatio)
            {
                EfficiencyMaxErrorRatio = settings.EfficiencyMaxErrorRatio,
            },
            stopReason is not null,
            stopReason,
            levels,
            Frontier(levels));
    }

    private async Task<SweepLevelResult> RunLevelAsync(StreamingProbe probe, int concurrency, CancellationToken cancellationToken)
    {
        Progress?.LevelStarted(concurrency);
        using var stopScraping = new CancellationTokenSource();
        Task<LevelTelemetry>? scraping = null;
        var load = new LevelLoad(probe, _time)
        {
            MeasurementStarted = settings.MetricsUrl is not null || GpuSource is not null
                ? () => scraping = new LevelTelemetryRecorder(http, settings.MetricsUrl, GpuSource, settings.GpusPerReplica, sol.Configuration.Gpu.MemoryBandwidthBytesPerSecond.Value, _time).RecordAsync(stopScraping.Token)
                : null,
            MeasurementEnding = stopScraping.Cancel,
        };
        var progress = Progress is { } p ? new RequestProgress(p) : null;
        LevelMeasurement measured;
        try
        {
            measured = await load.RunAsync(concurrency, settings.Warmup, settings.Duration, settings.Requests, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stopScraping.CancelAsync().ConfigureAwait(false);
        }

        var server = scraping is null ? null : await scraping.ConfigureAwait(false);
        var level = LevelAnalysis.Analyse(concurrency, measured, server, sol, settings) with { HttpStatuses = ProbeAggregate.HttpStatusCounts(measured.Results) };
        return WithholdIfTooManyErrors(level, settings.EfficiencyMaxErrorRatio);
    }

    /// <summary>
    /// A level over its error ratio keeps its errors and measurements but publishes no efficiency, Pareto gap or SOL
    /// at its interactivity: the requests that survived are not a fair sample of the server under that load (the
    /// failed ones would have been its slowest or never ran). How those numbers are computed is LevelAnalysis's.
    /// </summary>
    public static SweepLevelResult WithholdIfTooManyErrors(SweepLevelResult level, double maxErrorRatio)
    {
        ArgumentNullException.ThrowIfNull(level);
        if (level.Requests == 0 || (double)level.Errors / level.Requests <= maxErrorRatio)
        {
            return level;
        }

        var percent = ((double)level.Errors / level.Requests * 100).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
        var limit = (maxErrorRatio * 100).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
        return level with
        {
            Efficiency = null,
            ParetoGapRatio = null,
            SolTokensPerSecondPerGpuAtMeasuredInteractivity = null,
            EfficiencyWithheld = $"{level.Errors} of {level.Requests} requests failed ({percent} %), over the {limit} % limit (--efficiency-max-error-ratio)",
        };
    }

    private FrontierPoint[] Frontier(IReadOnlyList<SweepLevelResult> levels) => Frontier(sol, settings, levels);

    /// <summary>The SOL frontier the result carries: far enough in batch that every measured level has the SOL above it.</summary>
    public static FrontierPoint[] Frontier(PreparedSol sol, SweepSettings settings, IReadOnlyList<SweepLevelResult> levels)
    {
        ArgumentNullException.ThrowIfNull(sol);
        ArgumentNullException.ThrowIfNull(settings);
        return FrontierBatches.For(sol, settings.ClientContextTokens, default, settings.Concurrency.Max(), levels.Select(l => l.TokensPerSecondPerUser))
            .Select(b => sol.Evaluate(b, settings.ClientContextTokens))
            .Select(r => new FrontierPoint(r.Batch, r.TokensPerSecondPerUser, r.TokensPerSecondPerGpu, r.Fits))
            .ToArray();
    }

    /// <summary>A precision as the result records it: its catalog name, or null where the flag was left to the default.</summary>
    private static string? Name(Precision? precision) => precision is { } p ? PrecisionFacts.Name(p) : null;

    private sealed class RequestProgress(ISweepProgress inner) : IProgress<ProbeResult>
    {
        public void Report(ProbeResult value) => inner.RequestDone(value);
    }
}

/// <summary>What a sweep reports while it runs.</summary>
public interface ISweepProgress
{
    void LevelStarted(int concurrency);

    void RequestDone(ProbeResult result);

    void LevelDone(SweepLevelResult level);
}
