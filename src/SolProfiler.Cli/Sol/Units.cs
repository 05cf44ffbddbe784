using System.Globalization;

namespace SolProfiler.Cli.Sol;

/// <summary>Human formatting of SI quantities for the terminal (JSON and CSV stay in base units).</summary>
public static class Units
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Seconds(double s) => s switch
    {
        0 => "0",
        < 1e-3 => (s * 1e6).ToString("0.#", Invariant) + " µs",
        < 1 => (s * 1e3).ToString(s < 1e-2 ? "0.00" : "0.0", Invariant) + " ms",
        _ => s.ToString("0.00", Invariant) + " s",
    };

    public static string Bytes(double b) => Scaled(b, "B");

    public static string Rate(double perSecond, string unit) => Scaled(perSecond, unit + "/s");

    public static string Scaled(double v, string unit)
    {
        string[] prefixes = ["", "k", "M", "G", "T", "P"];
        var i = 0;
        while (Math.Abs(v) >= 1000 && i < prefixes.Length - 1)
        {
            v /= 1000;
            i++;
        }

        return v.ToString(v >= 100 ? "0" : v >= 10 ? "0.0" : "0.00", Invariant) + " " + prefixes[i] + unit;
    }

    public static string Number(double v) =>
        v == Math.Floor(v) && Math.Abs(v) < 1e15 ? v.ToString("N0", Invariant) // counts read best without decimals
        : v.ToString(v >= 100 ? "N0" : v >= 10 ? "N1" : "N2", Invariant);

    public static string Percent(double share) => (share * 100).ToString("0", Invariant) + "%";
}
