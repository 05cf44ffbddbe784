using System.Globalization;
using SolProfiler.Cli.Sol;
using SolProfiler.Telemetry.Serving;
using SolProfiler.Analysis.Windows;
using SolProfiler.Telemetry.Serving.Scraping;
using Spectre.Console;

namespace SolProfiler.Cli.Scrape;

/// <summary>The terminal view of a scrape: the detected server, one column per engine, and the window's rates.</summary>
public static class ScrapeTableRenderer
{
    public static void Render(TextWriter output, ServingScrape scrape, IReadOnlyList<ServingRates>? rates)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(scrape);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = 160;
        }

        console.MarkupLine($"[bold]{Markup.Escape(ServerKinds.Name(scrape.Server))}[/] at {Markup.Escape(scrape.Source)}: {scrape.Samples.Count} engine(s), {scrape.Bytes:N0} bytes in {scrape.Duration.TotalMilliseconds:0} ms, {scrape.ParseErrors} malformed line(s)");
        foreach (var example in scrape.ParseErrorExamples)
        {
            console.MarkupLine($"[yellow]skipped[/] {Markup.Escape(example)}");
        }

        foreach (var problem in scrape.DocumentProblems)
        {
            console.MarkupLine($"[yellow]document problem[/] {Markup.Escape(problem)} (the valid samples are kept)");
        }

        var table = new Table().Border(TableBorder.Rounded).Title("Serving sample (cumulative since the server started)").AddColumn("");
        var samples = scrape.Samples;
        if (samples.Count > 1 && samples.Select(s => s.Model).Distinct().Count() == 1 && ServingSampleTotals.Sum(samples) is { } total)
        {
            samples = [.. samples, total]; // engines of one model also shown summed
        }

        foreach (var s in samples)
        {
            table.AddColumn(new TableColumn(Markup.Escape((s.Engine == ServingSampleTotals.AllEngines ? "all engines" : $"engine {s.Engine}") + (s.Model is null ? "" : $"\n{s.Model}"))).RightAligned());
        }

        Row(table, "running requests", samples, s => Number(s.RunningRequests));
        Row(table, "waiting requests", samples, s => Number(s.WaitingRequests));
        Row(table, "generation tokens", samples, s => Number(s.GenerationTokensTotal));
        Row(table, "prompt tokens", samples, s => Number(s.PromptTokensTotal));
        Row(table, "prompt tokens computed", samples, s => Number(s.PromptTokensComputedTotal));
        Row(table, "prompt tokens from prefix cache", samples, s => Number(s.PrefixCacheHitTokensTotal));
        Row(table, "engine steps", samples, s => Number(s.EngineStepsTotal));
        Row(table, "sequences summed over steps", samples, s => Number(s.BatchSequencesTotal));
        Row(table, "tokens scheduled over steps", samples, s => Number(s.ScheduledTokensTotal));
        Row(table, "prompt tokens in last step", samples, s => Number(s.PrefillTokensLastStep));
        Row(table, "inter-token latency (mean since start)", samples, s => Mean(s.InterTokenLatency));
        Row(table, "time to first token (mean)", samples, s => Mean(s.TimeToFirstToken));
        Row(table, "end-to-end latency (mean)", samples, s => Mean(s.E2eLatency));
        Row(table, "KV-cache usage", samples, s => s.KvCacheUsageRatio is { } r ? Units.Percent(r) : "-");
        Row(table, "KV-cache capacity (tokens)", samples, s => Number(s.KvCacheCapacityTokens));
        Row(table, "preemptions", samples, s => Number(s.PreemptionsTotal));
        Row(table, "spec. decode accepted / draft", samples, s => s.SpecDecodeDraftTokensTotal is { } d ? $"{Number(s.SpecDecodeAcceptedTokensTotal)} / {Number(d)}" : "-");
        Row(table, "spec. decode verify steps", samples, s => Number(s.SpecDecodeDraftsTotal));
        Row(table, "spec. decode tokens per step", samples, s => Number(s.SpecDecodeEmittedTokensPerStep));
        console.Write(table);
        var sources = scrape.Samples.Select(s => s.InterTokenLatencySource).Where(x => x is not null).Distinct().ToArray();
        foreach (var source in sources)
        {
            console.MarkupLine($"inter-token latency: {Markup.Escape(source!)}");
        }

        if (rates is { Count: > 0 })
        {
            var r = new Table().Border(TableBorder.Rounded).Title($"Rates over {rates[0].Covered.TotalSeconds:0.#} s").AddColumn("");
            foreach (var e in rates)
            {
                r.AddColumn(new TableColumn(Markup.Escape($"engine {e.Engine}")).RightAligned());
            }

            RateRow(r, "scrapes", rates, e => e.Samples.ToString(CultureInfo.InvariantCulture));
            RateRow(r, "generation tokens/s", rates, e => Number(e.GenerationTokensPerSecond));
            RateRow(r, "prompt tokens/s", rates, e => Number(e.PromptTokensPerSecond));
            RateRow(r, "mean inter-token latency", rates, e => Seconds(e.MeanInterTokenLatencySeconds));
            RateRow(r, "mean time to first token", rates, e => Seconds(e.MeanTimeToFirstTokenSeconds));
            RateRow(r, "mean running requests", rates, e => Number(e.MeanRunningRequests));
            RateRow(r, "mean waiting requests", rates, e => Number(e.MeanWaitingRequests));
            RateRow(r, "mean KV-cache usage", rates, e => e.MeanKvCacheUsageRatio is { } u ? Units.Percent(u) : "-");
            RateRow(r, "preemptions/s", rates, e => Number(e.PreemptionsPerSecond));
            RateRow(r, "spec. decode acceptance", rates, e => e.SpecDecodeAcceptanceRatio is { } a ? Units.Percent(a) : "-");
            RateRow(r, "counter resets", rates, e => e.CounterResets.ToString(CultureInfo.InvariantCulture));
            console.Write(r);
        }
    }

    private static void Row(Table table, string name, IReadOnlyList<ServingSample> samples, Func<ServingSample, string> cell) =>
        table.AddRow([name, .. samples.Select(s => Markup.Escape(cell(s)))]);

    private static void RateRow(Table table, string name, IReadOnlyList<ServingRates> rates, Func<ServingRates, string> cell) =>
        table.AddRow([name, .. rates.Select(r => Markup.Escape(cell(r)))]);

    private static string Number(double? v) => v is { } x ? Units.Number(x) : "-";

    private static string Seconds(double? v) => v is { } x ? Units.Seconds(x) : "-";

    private static string Mean(HistogramSnapshot? h) => h is { Count: > 0 } ? $"{Units.Seconds(h.Sum / h.Count)} ({Units.Number(h.Count)} obs.)" : "-";
}
