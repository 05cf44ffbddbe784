using System.Globalization;

namespace SolProfiler.Cli.Charts;

/// <summary>
/// The ticks of every logarithmic chart axis, as the status page draws them: each integer times a power of ten in
/// range, labelled at 1, 2 and 5 (so a chart that spans less than a decade still reads), with round labels.
/// </summary>
public static class LogTicks
{
    public static IEnumerable<(double Value, bool Labelled)> Between(double low, double high)
    {
        for (var d = (int)Math.Floor(Math.Log10(low)); d <= (int)Math.Ceiling(Math.Log10(high)); d++)
        {
            for (var m = 1; m <= 9; m++)
            {
                var v = m * Math.Pow(10, d);
                if (v >= low && v <= high)
                {
                    yield return (v, m is 1 or 2 or 5);
                }
            }
        }
    }

    /// <summary>Round axis numbers: thousands as k, millions as M.</summary>
    public static string Compact(double v) => v switch
    {
        >= 1e6 => (v / 1e6).ToString("0.###", CultureInfo.InvariantCulture) + "M",
        >= 1e3 => (v / 1e3).ToString("0.###", CultureInfo.InvariantCulture) + "k",
        _ => v.ToString("0.###", CultureInfo.InvariantCulture),
    };
}
