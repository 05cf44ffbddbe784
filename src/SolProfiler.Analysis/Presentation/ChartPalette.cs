using System.Globalization;
using System.Text;

namespace SolProfiler.Analysis.Presentation;

/// <summary>One colour of the charts: the key is the snapshot's JSON name of what it colours (a gap cause, a SOL component, a series).</summary>
public sealed record ChartColor(string Key, string Name, string Light, string Dark)
{
    /// <summary>The CSS custom property the status page paints with.</summary>
    public string CssVariable => "--" + Key;
}

/// <summary>
/// The one palette of every chart: the status page (its CSS custom properties, light and dark, and its legends are
/// generated from this), the HTML report and the PNG/SVG files. Causes and components are in the order they stack.
/// </summary>
public static class ChartPalette
{
    public static ChartColor Sol { get; } = new("sol", "SOL step", "#2e9d5b", "#2e9d5b");

    public static ChartColor Frontier { get; } = new("frontier", "SOL frontier", "#2e9d5b", "#2e9d5b");

    public static ChartColor Measured { get; } = new("measured", "measured", "#e4572e", "#ff7a4d");

    /// <summary>A point the SOL says does not fit in memory (drawn hollow).</summary>
    public static ChartColor DoesNotFit { get; } = new("doesNotFit", "does not fit in HBM", "#d64541", "#ef6b5e");

    /// <summary>Colours of several SOL curves on one chart (one per TP degree), the frontier's first.</summary>
    public static IReadOnlyList<string> Curves { get; } = ["#2e9d5b", "#3a7fc1", "#c05fbf", "#a0672a", "#7466d4", "#2aa198", "#e07b2c", "#8a919c"];

    /// <summary>The gap's causes, keyed as <c>GapCauses</c> serializes them.</summary>
    public static IReadOnlyList<ChartColor> Causes { get; } =
    [
        new("idle", "GPU idle", "#8a919c", "#6c7380"),
        new("extraBytes", "Extra HBM bytes", "#e07b2c", "#e07b2c"),
        new("unusedBandwidth", "Unused HBM bandwidth", "#e3b23c", "#e3b23c"),
        new("communication", "Exposed communication", "#7466d4", "#7466d4"),
        new("throttling", "Throttling", "#d64541", "#d64541"),
        new("unattributed", "Unattributed", "#c3c8cf", "#4a515b"),
    ];

    /// <summary>The SOL step's components for the donut, keyed as <c>SolShares</c> serializes them.</summary>
    public static IReadOnlyList<ChartColor> Components { get; } =
    [
        new("weights", "Weights", "#3a7fc1", "#3a7fc1"),
        new("kv", "KV cache", "#2aa198", "#2aa198"),
        new("compute", "Compute", "#c05fbf", "#c05fbf"),
        new("comm", "Communication", "#7466d4", "#7466d4"),
        new("prefill", "Prompt tokens (prefill)", "#a0672a", "#a0672a"),
    ];

    public static IEnumerable<ChartColor> All => Causes.Concat(Components).Prepend(DoesNotFit).Prepend(Measured).Prepend(Frontier).Prepend(Sol);

    /// <summary>CSS declarations of every colour as a custom property, e.g. <c>--idle: #8a919c;</c>.</summary>
    public static string CssDeclarations(bool dark)
    {
        var sb = new StringBuilder();
        foreach (var c in All)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{c.CssVariable}: {(dark ? c.Dark : c.Light)}; ");
        }

        return sb.ToString().TrimEnd();
    }
}
