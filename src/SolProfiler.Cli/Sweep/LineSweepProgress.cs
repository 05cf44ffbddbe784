using System.Globalization;
using SolProfiler.Telemetry.Probe;

namespace SolProfiler.Cli.Sweep;

/// <summary>Plain progress lines (when the output is not a terminal): one when a level starts and one when it ends.</summary>
public sealed class LineSweepProgress(TextWriter output) : ISweepProgress
{
    private readonly Lock _lock = new();

    public void LevelStarted(int concurrency)
    {
        lock (_lock)
        {
            output.WriteLine($"level: concurrency {concurrency.ToString(CultureInfo.InvariantCulture)}");
        }
    }

    public void RequestDone(ProbeResult result)
    {
        // one line per level is enough in a log
    }

    public void LevelDone(SweepLevelResult level)
    {
        ArgumentNullException.ThrowIfNull(level);
        lock (_lock)
        {
            output.WriteLine(SweepTable.OneLine(level));
        }
    }
}
