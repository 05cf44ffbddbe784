using System.Globalization;
using SolProfiler.Sol;

namespace SolProfiler.Cli.Common;

/// <summary>Parses durations as operators write them: "500ms", "2s", "1.5s", "10m", "1h" (a bare number is seconds).</summary>
public static class DurationParser
{
    public static TimeSpan Parse(string text, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim().ToLowerInvariant();
        (string Suffix, double Seconds)[] units = [("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)];
        foreach (var (suffix, seconds) in units)
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal) && double.TryParse(t[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            {
                return Positive(v * seconds, text, option);
            }
        }

        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain)
            ? Positive(plain, text, option)
            : throw new SolInputException($"{option} '{text}' is not a duration (examples: 500ms, 2s, 10m)");
    }

    private static TimeSpan Positive(double seconds, string text, string option) =>
        seconds > 0 && double.IsFinite(seconds) && seconds < TimeSpan.MaxValue.TotalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw new SolInputException($"{option} '{text}' must be a positive duration");
}
