namespace SolProfiler.Demo;

/// <summary>
/// Per-GPU telemetry averaged over a span of simulated time (time-weighted over the steps and idle gaps in it): what
/// the NVML stand-in is set to at each wake-up of the simulation.
/// </summary>
public readonly record struct GpuActivity(
    double Seconds,
    double PowerWatts,
    double GraphicsActiveRatio,
    double SmActiveRatio,
    double DramActiveRatio,
    double TensorActiveRatio,
    double NvlinkBytesPerSecond,
    bool Throttled);

/// <summary>Sums telemetry × seconds; O(1) per step.</summary>
internal sealed class GpuActivityAccumulator
{
    private double _seconds, _joules, _graphics, _sm, _dram, _tensor, _nvlinkBytes;
    private bool _throttled;

    public void Add(DemoStep step, double seconds)
    {
        if (seconds <= 0)
        {
            return;
        }

        _seconds += seconds;
        _joules += step.PowerWatts * seconds;
        _graphics += step.GraphicsActiveRatio * seconds;
        _sm += step.SmActiveRatio * seconds;
        _dram += step.DramActiveRatio * seconds;
        _tensor += step.TensorActiveRatio * seconds;
        _nvlinkBytes += step.NvlinkBytesPerSecond * seconds;
        _throttled |= step.Throttled;
    }

    public void AddIdle(double idleWatts, double seconds)
    {
        if (seconds > 0)
        {
            _seconds += seconds;
            _joules += idleWatts * seconds;
        }
    }

    /// <summary>The averages since the last take (null when no time passed), and a fresh start.</summary>
    public GpuActivity? Take()
    {
        if (_seconds <= 0)
        {
            return null;
        }

        var s = _seconds;
        var result = new GpuActivity(s, _joules / s, _graphics / s, _sm / s, _dram / s, _tensor / s, _nvlinkBytes / s, _throttled);
        _seconds = _joules = _graphics = _sm = _dram = _tensor = _nvlinkBytes = 0;
        _throttled = false;
        return result;
    }
}
