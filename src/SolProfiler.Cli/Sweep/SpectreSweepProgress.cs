using SolProfiler.Telemetry.Probe;
using Spectre.Console;

namespace SolProfiler.Cli.Sweep;

/// <summary>A Spectre.Console progress display: one task per level, counting finished requests.</summary>
public sealed class SpectreSweepProgress(ProgressContext context, SweepSettings settings) : ISweepProgress
{
    private readonly Lock _lock = new();
    private ProgressTask? _task;
    private int _done;
    private int _failed;

    public void LevelStarted(int concurrency)
    {
        lock (_lock)
        {
            _done = 0;
            _failed = 0;
            _task = context.AddTask($"concurrency {concurrency}", maxValue: settings.Requests ?? 1);
            _task.IsIndeterminate = settings.Requests is null;
        }
    }

    public void RequestDone(ProbeResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        lock (_lock)
        {
            _done++;
            _failed += result.Success ? 0 : 1;
            if (_task is { } t)
            {
                t.Description = $"{t.Description.Split(':')[0]}: {_done} requests, {_failed} failed";
                if (settings.Requests is not null)
                {
                    t.Increment(1);
                }
            }
        }
    }

    public void LevelDone(SweepLevelResult level)
    {
        ArgumentNullException.ThrowIfNull(level);
        lock (_lock)
        {
            if (_task is { } t)
            {
                t.IsIndeterminate = false;
                t.Value = t.MaxValue;
                t.StopTask();
            }
        }
    }
}
