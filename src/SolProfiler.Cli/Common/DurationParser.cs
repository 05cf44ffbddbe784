using SolProfiler.Sol;
using SolProfiler.Telemetry.Probe;

namespace SolProfiler.Cli.Common;

/// <summary>Parses durations as operators write them ("500ms", "2s", "10m", "1h"; a bare number is seconds) for an option.</summary>
public static class DurationParser
{
    public static TimeSpan Parse(string text, string option)
    {
        try
        {
            return ProbeOptions.ParseDuration(text);
        }
        catch (ProbeOptionsException e)
        {
            throw new SolInputException($"{option}: {e.Message}", e);
        }
    }
}
