using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SolProfiler.Analysis;
using SolProfiler.Agent.Recording;
using SolProfiler.Agent.Sources;

namespace SolProfiler.Agent.Hosting;

/// <summary>
/// Refreshes the analysis at the sample interval over the sliding window and publishes the snapshot; writes one
/// recording line per window length. An exception in one tick is logged and the next tick runs.
/// </summary>
internal sealed class AnalysisService(
    AgentRuntime runtime,
    SampleInbox inbox,
    SnapshotStore store,
    IServiceProvider services,
    ILogger<AnalysisService> logger,
    TimeProvider time) : BackgroundService
{
    private readonly SnapshotRecorder? _recorder = services.GetService(typeof(SnapshotRecorder)) as SnapshotRecorder;
    private bool _warnedAboveOne;
    private string? _lastInvalid;
    private string? _lastGpuProblem;
    private DateTimeOffset _lastRecorded = DateTimeOffset.MinValue;
    private DateTimeOffset _lastLogged = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = runtime.Options;
        var settings = new AnalysisSettings { Window = o.Window, Context = o.Context, Gap = o.Gap, FrontierBatches = [.. o.FrontierBatches], Demo = o.Demo };
        var analyzer = new WindowAnalyzer(settings, runtime.Sol, runtime.ServerFacts);
        using var timer = new PeriodicTimer(runtime.SampleInterval, time);
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

        _recorder?.Dispose();
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

        var snapshot = analyzer.Analyze(now, runtime.ServingHealth?.Status(), runtime.GpuHealth?.Status());
        if (analyzer.JustDetected is { } device)
        {
            Log.GpuDetected(logger, device, runtime.Sol.Gpu!.Id);
        }
        else if (runtime.Sol.GpuProblem is { } problem && problem != _lastGpuProblem)
        {
            Log.GpuUnknown(logger, problem);
        }

        _lastGpuProblem = runtime.Sol.GpuProblem;
        while (runtime.ServerFacts.Notices.TryDequeue(out var notice))
        {
            LogNotice(notice);
        }

        store.Publish(snapshot);
        LogOutcome(snapshot, now);
        if (_recorder is not null && now - _lastRecorded >= runtime.Options.Window)
        {
            _lastRecorded = now;
            _recorder.Write(snapshot);
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
        if (now - _lastLogged >= runtime.Options.Window)
        {
            _lastLogged = now;
            var p = snapshot.OperatingPoint!;
            Log.WindowAnalyzed(logger, gap.Efficiency, gap.MeasuredStepSeconds * 1e3, gap.SolStepSeconds * 1e3, p.Batch ?? 0, p.ContextTokens ?? 0);
        }
    }
}
