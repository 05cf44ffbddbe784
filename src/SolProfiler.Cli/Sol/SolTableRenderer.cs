using System.Globalization;
using SolProfiler.Sol.Modeling;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SolProfiler.Cli.Sol;

/// <summary>The terminal view of <c>solprof sol</c>: the configuration, then one row per (TP, batch).</summary>
public static class SolTableRenderer
{
    private const int ShareBarWidth = 10;

    // One colour per component, used in the share bars and their legend.
    private static readonly (string Name, string Short, Color Color)[] Components =
    [
        ("weights", "W", Color.DodgerBlue1),
        ("KV", "KV", Color.Orange1),
        ("compute", "C", Color.Green3),
        ("comm", "N", Color.MediumPurple1),
        ("prefill", "P", Color.IndianRed),
    ];

    public static void Render(TextWriter output, IReadOnlyList<SolRunner.Evaluation> evaluations)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(evaluations);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        if (console.Profile.Width < 160 && !Console.IsOutputRedirected)
        {
            console.Profile.Width = Math.Max(console.Profile.Width, 100);
        }
        else if (Console.IsOutputRedirected)
        {
            console.Profile.Width = 240; // redirected (files, CI logs): wide enough that no column wraps
        }

        console.Write(Summary(evaluations[0].Prepared, evaluations[0].Results[0].Context));
        console.WriteLine();
        foreach (var e in evaluations)
        {
            console.Write(PointsTable(e));
        }

        console.Write(new Markup(string.Join("  ", Components.Select(c => $"[{c.Color.ToMarkup()}]█[/] {c.Short} {c.Name}")) + "  (share of weights + KV + compute + comm time; P: what the step's prompt tokens add)\n"));
        var warnings = evaluations.SelectMany(e => e.Results.SelectMany(r => r.Warnings.Select(w => (r.Tp, r.Batch, w)))).ToList();
        foreach (var group in warnings.GroupBy(x => x.w))
        {
            var where = string.Join(", ", group.Select(g => $"TP{g.Tp} B={g.Batch}"));
            var scope = group.Count() == evaluations.Sum(e => e.Results.Count) ? "" : $" ({where})";
            console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(group.Key)}{Markup.Escape(scope)}");
        }
    }

    internal static Grid Summary(PreparedSol p, double context)
    {
        var c = p.Configuration;
        var gpu = c.Gpu;
        var par = c.Parallelism;
        var math = p.Precisions.Math;
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        var counts = p.Parameters;
        grid.AddRow("[bold]Model[/]", Markup.Escape($"{c.Model.Id} ({c.Model.ModelType}): {counts.Total / 1e9:0.##} B parameters, {counts.ActiveExcludingEmbedding / 1e9:0.##} B active per token; KV {Units.Bytes(p.KvBytesPerToken)} per token"));
        grid.AddRow("[bold]GPU[/]", Markup.Escape($"{gpu.Id}: {gpu.Name}; {Units.Bytes(gpu.MemoryBytes.Value)} at {Units.Rate(gpu.MemoryBandwidthBytesPerSecond.Value, "B")}; {PrecisionFacts.Name(math)} {Units.Rate(gpu.PeakFlopsPerSecond[math].Value, "FLOP")} dense; {gpu.ScaleUpName} {Units.Rate(gpu.LinkBandwidthBytesPerSecondPerDirection.Value, "B")} per direction; {gpu.PowerCapWatts.Value:0} W"));
        grid.AddRow("[bold]Parallelism[/]", Markup.Escape($"TP {par.Tp}, PP {par.Pp}, EP {par.Ep}, attention-DP {par.AttentionDp} ({par.GpusPerReplica} GPU{(par.GpusPerReplica == 1 ? "" : "s")} per replica)"));
        var spec = c.Speculative is { } s ? $"; speculative: {s.DraftTokens} draft tokens, {s.MeanAcceptedLength:0.##} accepted per step" : "";
        var experts = p.Precisions.ExpertWeights != p.Precisions.Weights && c.Model.IsMoe ? $", experts {PrecisionFacts.Name(p.Precisions.ExpertWeights)}" : "";
        grid.AddRow("[bold]Precisions[/]", Markup.Escape($"weights {PrecisionFacts.Name(p.Precisions.Weights)}{experts}, KV {PrecisionFacts.Name(p.Precisions.Kv)}, activations {PrecisionFacts.Name(p.Precisions.Activations)}{Dispatch(p)}{spec}"));
        grid.AddRow("[bold]Tensor peaks[/]", Markup.Escape(Peaks(p)));
        grid.AddRow("[bold]Context[/]", context.ToString("N0", CultureInfo.InvariantCulture) + " tokens");
        return grid;
    }

    private static string Dispatch(PreparedSol p) =>
        p.Configuration.Model.IsMoe && p.Configuration.Parallelism.Ep > 1 ? $", expert dispatch {PrecisionFacts.Name(p.Precisions.Dispatch)} (combine 16-bit)" : "";

    /// <summary>Each operation's tensor format and dense peak (precision per operation).</summary>
    private static string Peaks(PreparedSol p)
    {
        var k = p.Peaks;
        string One(string what, OperationPeak op) => $"{what} {PrecisionFacts.Name(op.Math)} {Units.Rate(op.FlopsPerSecond, "FLOP")}";
        var experts = p.Configuration.Model.IsMoe ? One(", routed experts", k.Experts) : "";
        return $"{One("GEMMs", k.Linear)}{experts}{One(", attention", k.Attention)}{One(", LM head and router", k.Head)}";
    }

    private static Table PointsTable(SolRunner.Evaluation e)
    {
        var first = e.Results[0];
        var mixed = first.PrefillTokens > 0 ? $"; mixed step: {first.PrefillTokens.ToString("0.##", CultureInfo.InvariantCulture)} prompt tokens per step" : "";
        var table = new Table().Border(TableBorder.Rounded).Title($"SOL per decode step, TP {first.Tp}{mixed}");
        table.AddColumn(new TableColumn("Batch").RightAligned());
        foreach (var name in new[] { "Weights", "KV", "Compute", "Comm", "Energy", "Prefill", "SOL step" })
        {
            table.AddColumn(new TableColumn(name).RightAligned());
        }

        table.AddColumn("Bound");
        table.AddColumn("Schedule");
        var anyOverlap = e.Results.Any(r => r.Schedule == SolSchedule.Overlap);
        if (anyOverlap)
        {
            // Both schedules where they differ: the serial step beside the overlapped one that set the SOL.
            table.AddColumn(new TableColumn("Serial").RightAligned());
        }

        table.AddColumn(new TableColumn("Shares (donut)").NoWrap());
        table.AddColumn(new TableColumn("tok/s/user").RightAligned());
        table.AddColumn(new TableColumn("tok/s/GPU").RightAligned());
        table.AddColumn(new TableColumn("J/token").RightAligned());
        table.AddColumn(new TableColumn("Memory/GPU").RightAligned().NoWrap());
        table.AddColumn(new TableColumn("Max B").RightAligned());
        foreach (var r in e.Results)
        {
            var s = r.Seconds;
            List<IRenderable> schedule = [new Text(r.Schedule.ToString().ToLowerInvariant())];
            if (anyOverlap)
            {
                schedule.Add(new Text(r.Schedule == SolSchedule.Overlap ? Units.Seconds(r.SerialStepSeconds) : "="));
            }

            var memory = $"{Units.Bytes(r.ResidentWeightBytesPerGpu + r.ResidentKvBytesPerGpu)} / {Units.Bytes(r.MemoryBytesPerGpu)}";
            var maxBatch = r.MaxBatchThatFits is { } mb ? mb.ToString("N0", CultureInfo.InvariantCulture) : "unbounded";
            IRenderable[] cells =
            [
                new Text(r.Batch.ToString(CultureInfo.InvariantCulture)),
                Time(s.Weights, r.Bound == SolBound.Weights),
                Time(s.Kv, r.Bound == SolBound.Kv),
                Time(s.Compute, r.Bound == SolBound.Compute),
                Time(s.Comm, r.Bound == SolBound.Comm),
                Time(s.Energy, r.Bound == SolBound.Energy),
                new Text(Units.Seconds(s.Prefill)),
                new Markup($"[bold]{Units.Seconds(s.Step)}[/]"),
                new Text(r.Bound.ToString().ToLowerInvariant()),
                .. schedule,
                ShareBar(r.Shares),
                new Text(Units.Number(r.TokensPerSecondPerUser)),
                new Text(Units.Number(r.TokensPerSecondPerGpu)),
                new Text(r.JoulesPerToken.ToString(r.JoulesPerToken >= 1 ? "0.00" : "0.000", CultureInfo.InvariantCulture)),
                new Markup(r.Fits ? $"[green]{Markup.Escape(memory)}[/]" : $"[red]{Markup.Escape(memory)}[/]"), // a warning below says it does not fit
                new Text(maxBatch),
            ];
            table.AddRow(cells);
        }

        return table;
    }

    private static Markup Time(double seconds, bool isBound) =>
        new(isBound ? $"[bold underline]{Units.Seconds(seconds)}[/]" : Units.Seconds(seconds));

    private static Markup ShareBar(SolShares shares)
    {
        double[] values = [shares.Weights, shares.Kv, shares.Compute, shares.Comm, shares.Prefill];
        var cells = Apportion(values, ShareBarWidth);
        var bar = string.Concat(cells.Select((n, i) => n == 0 ? "" : $"[{Components[i].Color.ToMarkup()}]{new string('█', n)}[/]"));
        var text = string.Join(" ", values.Select((v, i) => $"{Components[i].Short} {Units.Percent(v)}"));
        return new Markup($"{bar} {Markup.Escape(text)}");
    }

    /// <summary>Largest-remainder rounding so the bar is always exactly <paramref name="width"/> cells.</summary>
    private static int[] Apportion(double[] shares, int width)
    {
        var exact = shares.Select(s => s * width).ToArray();
        var cells = exact.Select(x => (int)Math.Floor(x)).ToArray();
        var left = width - cells.Sum();
        foreach (var i in exact.Select((x, i) => (Remainder: x - Math.Floor(x), Index: i)).OrderByDescending(t => t.Remainder).Take(left).Select(t => t.Index))
        {
            cells[i]++;
        }

        return cells;
    }
}
