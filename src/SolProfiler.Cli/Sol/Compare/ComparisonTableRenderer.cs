using System.Globalization;
using Spectre.Console;

namespace SolProfiler.Cli.Sol.Compare;

/// <summary>
/// The terminal view of <c>solprof sol --compare</c>: the SOL configuration, then the frontier with the sweep's levels
/// placed among its points by tokens/s/user, each level with the SOL at the same interactivity and its efficiency.
/// </summary>
public static class ComparisonTableRenderer
{
    public static void Render(TextWriter output, SweepComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(comparison);
        var terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No });
        if (!terminal)
        {
            console.Profile.Width = 200; // a file or pipe: no terminal to wrap to, no escape codes
        }

        var frontier = comparison.Frontier;
        console.Write(SolTableRenderer.Summary(frontier.Prepared, frontier.Results[0].Context));
        console.WriteLine();
        foreach (var line in comparison.Differences)
        {
            console.MarkupLine($"[yellow]what-if:[/] {Markup.Escape(line)}");
        }

        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape($"SOL frontier with the sweep {Path.GetFileName(comparison.Sweep.Path)} (measured levels in bold)"));
        table.AddColumn("Point");
        foreach (var name in new[] { "Batch", "Context", "tok/s/user", "tok/s/GPU", "SOL tok/s/GPU at same tok/s/user", "Pareto gap", "Efficiency" })
        {
            table.AddColumn(new TableColumn(name).RightAligned());
        }

        var rows = ComparisonRows.Of(comparison);
        var notes = rows.Any(r => r.Note is not null);
        if (notes)
        {
            table.AddColumn("Note");
        }

        foreach (var r in rows)
        {
            var measured = r.Kind == ComparisonRows.MeasuredKind;
            string Cell(string text) => measured ? $"[bold]{Markup.Escape(text)}[/]" : Markup.Escape(text);
            var cells = new List<string>
            {
                Cell(measured ? r.Label + " measured" : r.Label),
                Cell(r.Batch is { } b ? b.ToString(measured ? "0.0" : "0", CultureInfo.InvariantCulture) : "-"),
                Cell(r.ContextTokens is { } c ? c.ToString("N0", CultureInfo.InvariantCulture) : "-"),
                Cell(r.TokensPerSecondPerUser is { } u ? Units.Number(u) : "-"),
                Cell(r.TokensPerSecondPerGpu is { } g ? Units.Number(g) : "-"),
                Cell(r.SolTokensPerSecondPerGpuAtSameInteractivity is { } s ? Units.Number(s) : ""),
                Cell(r.ParetoGapRatio is { } gap ? Units.Percent(gap) : ""),
                Cell(r.Efficiency is { } e ? Units.Percent(e) : ""),
            };
            if (notes)
            {
                cells.Add(r.Note is { } note ? $"[yellow]{Markup.Escape(note)}[/]" : "");
            }

            table.AddRow([.. cells]);
        }

        console.Write(table);
        console.MarkupLine("Pareto gap: measured tokens/s/GPU over the SOL frontier's at the same tokens/s/user. Efficiency: SOL step at the level's batch and context over its measured step.");
    }
}
