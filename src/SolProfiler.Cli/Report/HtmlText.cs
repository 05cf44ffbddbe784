using System.Globalization;
using System.Net;

namespace SolProfiler.Cli.Report;

/// <summary>Text in the report's HTML: escaped, and numbers as a reader wants them.</summary>
internal static class HtmlText
{
    public static string Esc(string? text) => WebUtility.HtmlEncode(text ?? "");

    public static string Num(double v) => Math.Abs(v) switch
    {
        >= 10_000 => v.ToString("#,0", CultureInfo.InvariantCulture),
        >= 100 => v.ToString("0", CultureInfo.InvariantCulture),
        >= 10 => v.ToString("0.#", CultureInfo.InvariantCulture),
        _ => v.ToString("0.##", CultureInfo.InvariantCulture),
    };
}
