using System.Globalization;
using SolProfiler.Cli.Sol;
using Spectre.Console;

namespace SolProfiler.Cli.Sweep;

/// <summary>The summary table printed at the end of a sweep, and the one-line form of a level.</summary>
public static class SweepTable
{
    public static void Render(TextWriter output, SweepResult result)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(result);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        console.Profile.Width = Console.IsOutputRedirected ? 200 : Math.Max(console.Profile.Width, 120);
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape($"Sweep of {result.ServedModel} at {result.Endpoint}"));
        foreach (var name in new[] { "Conc.", "OK", "Errors", "tok/s", "tok/s/GPU", "tok/s/user", "TTFT p50", "TPOT mean", "ITL p99", "Batch", "SOL tok/s/GPU", "Efficiency", "Pareto gap" })
        {
            table.AddColumn(new TableColumn(name).RightAligned());
        }

        foreach (var l in result.Levels)
        {
            table.AddRow(
                N(l.Concurrency), N(l.Completed), l.Errors > 0 ? $"[red]{l.Errors}[/]" : "0",
                Num(l.OutputTokensPerSecond), Num(l.OutputTokensPerSecondPerGpu), Num(l.TokensPerSecondPerUser),
                Sec(l.TtftSeconds?.P50), Sec(l.TpotSeconds?.Mean), Sec(l.ItlSeconds?.P99),
                Num(l.OperatingPoint?.Batch), Num(l.Sol?.TokensPerSecondPerGpu), Withheld(l, Pct(l.Efficiency)), Withheld(l, Pct(l.ParetoGapRatio)));
        }

        console.Write(table);
        foreach (var l in result.Levels.Where(l => l.Errors > 0))
        {
            console.MarkupLine(Markup.Escape($"concurrency {l.Concurrency}: {l.Errors} errors: " + Probe.ProbeCommand.FailureClasses(l.ErrorReasons, l.HttpStatuses)));
        }

        foreach (var l in result.Levels.Where(l => l.EfficiencyWithheld is not null))
        {
            console.MarkupLine($"[yellow]concurrency {l.Concurrency}: no efficiency or Pareto gap:[/] {Markup.Escape(l.EfficiencyWithheld!)}");
        }

        if (result.StopReason is { } why)
        {
            console.MarkupLine($"[yellow]stopped early:[/] {Markup.Escape(why)}");
        }
    }

    public static string OneLine(SweepLevelResult l)
    {
        ArgumentNullException.ThrowIfNull(l);
        return $"concurrency {l.Concurrency}: {l.Completed} ok, {l.Errors} errors, {Num(l.OutputTokensPerSecond)} tok/s, "
            + $"{Num(l.TokensPerSecondPerUser)} tok/s/user, TPOT {Sec(l.TpotSeconds?.Mean)}, efficiency {(l.EfficiencyWithheld is null ? Pct(l.Efficiency) : "withheld (errors)")}";
    }

    private static string Withheld(SweepLevelResult l, string value) => l.EfficiencyWithheld is null ? value : "[yellow]withheld[/]";

    private static string N(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Num(double? v) => v is { } x ? Units.Number(x) : "-";

    private static string Sec(double? v) => v is { } x ? Units.Seconds(x) : "-";

    private static string Pct(double? v) => v is { } x ? (x * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "-";
}
