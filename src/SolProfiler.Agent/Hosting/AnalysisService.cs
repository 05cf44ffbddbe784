using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SolProfiler.Analysis;
using SolProfiler.Agent.Sources;

namespace SolProfiler.Agent.Hosting;

/// <summary>
/// Refreshes the analysis at the sample interval over the sliding window and publishes the snapshot; writes one
/// recording line per window length. An exception in one tick is logged and the next tick runs.
/// </summary>
internal sealed class AnalysisService(
    AnalysisSettings settings,
    SolSetup sol,
    ServerFacts facts,
    SourceHealthSet health,
    SampleInbox inbox,
    SnapshotStore store,
    IEnumerable<ISnapshotSink> sinks,
    ILogger<AnalysisService> logger,
    TimeProvider time) : BackgroundService
{
    private readonly ISnapshotSink[] _sinks = [.. sinks];
    private bool _warnedAboveOne;
    private string? _lastInvalid;
    private string? _lastGpuProblem;
    private DateTimeOffset _lastRecorded = DateTimeOffset.MinValue;
    private DateTimeOffset _lastLogged = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var analyzer = new WindowAnalyzer(settings, sol, facts);
        using var timer = new PeriodicTimer(settings.Interval, time);
        do
        {
            try
            {
                Tick(analyzer, time.GetUtcNow());
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.AnalysisFailed(logger, e);
            }
        }
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken token)
    {
        try
        {
            return await timer.WaitForNextTickAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Tick(WindowAnalyzer analyzer, DateTimeOffset now)
    {
        foreach (var samples in inbox.DrainServing())
        {
            analyzer.Add(samples);
        }

        foreach (var read in inbox.DrainGpu())
        {
            analyzer.Add(read);
        }

        var snapshot = analyzer.Analyze(now, health.Serving?.Status(), health.Gpu?.Status());
        if (analyzer.JustDetected is { } device)
        {
            Log.GpuDetected(logger, device, sol.Gpu!.Id);
        }
        else if (sol.GpuProblem is { } problem && problem != _lastGpuProblem)
        {
            Log.GpuUnknown(logger, problem);
        }

        _lastGpuProblem = sol.GpuProblem;
        while (facts.Notices.TryDequeue(out var notice))
        {
            LogNotice(notice);
        }

        store.Publish(snapshot);
        LogOutcome(snapshot, now);
        if (_sinks.Length > 0 && now - _lastRecorded >= settings.Window)
        {
            _lastRecorded = now;
            foreach (var sink in _sinks)
            {
                sink.Write(snapshot);
            }
        }
    }

    private void LogNotice(ServerNotice notice)
    {
        switch (notice.Kind)
        {
            case ServerNoticeKind.ModelResolved:
                Log.ModelResolved(logger, notice.Message);
                break;
            case ServerNoticeKind.ModelUnresolved:
                Log.ModelUnresolved(logger, notice.Message);
                break;
            case ServerNoticeKind.Setting:
                Log.ServerSetting(logger, notice.Message);
                break;
            default:
                Log.ServerContradiction(logger, notice.Message);
                break;
        }
    }

    private void LogOutcome(AgentSnapshot snapshot, DateTimeOffset now)
    {
        if (!snapshot.Valid)
        {
            if (snapshot.InvalidReason != _lastInvalid)
            {
                Log.WindowInvalid(logger, snapshot.InvalidReason!);
            }

            _lastInvalid = snapshot.InvalidReason;
            return;
        }

        _lastInvalid = null;
        var gap = snapshot.Gap!;
        if (gap.Efficiency > 1 && !_warnedAboveOne)
        {
            Log.EfficiencyAboveOne(logger, gap.Warnings.Count > 0 ? gap.Warnings[0] : $"efficiency {gap.Efficiency:0.###}");
        }

        _warnedAboveOne = gap.Efficiency > 1;
        if (now - _lastLogged >= settings.Window)
        {
            _lastLogged = now;
            var p = snapshot.OperatingPoint!;
            Log.WindowAnalyzed(logger, gap.Efficiency, gap.MeasuredStepSeconds * 1e3, gap.SolStepSeconds * 1e3, p.Batch ?? 0, p.ContextTokens ?? 0);
        }
    }
}
