using System.CommandLine;
using System.Globalization;
using SolProfiler.Cli.Common;
using SolProfiler.Cli.Options;
using SolProfiler.Sol;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Cli.Sol;

/// <summary><c>solprof sol</c>: the SOL decode model offline, as a table, JSON, CSV and a Pareto chart.</summary>
public static class SolCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        // --model, --gpu, --batch and --context are required unless --compare brings them from a sweep.
        var deployment = new DeploymentOptions(new DeploymentHelp(
            "--model", ModelDefault: "required unless --compare gives it", GpuDefault: "required unless --compare gives it", TpDefault: "1", KvDefault: "the model dtype"));
        var batch = new Option<string?>("--batch", "-b") { Description = "Sequences decoding together per replica: B, a list 1,8,64 or a range A..B (powers of two) (required)", HelpName = "B|LIST|A..B" };
        var context = new Option<string?>("--context", "-l") { Description = "Mean context length in tokens (required)" };
        var draft = new Option<int?>("--draft") { Description = "Speculative decoding: draft tokens per verify step" };
        var prefillTokens = new Option<string?>("--prefill-tokens") { Description = "Mixed steps (chunked prefill): prompt tokens computed in every step beside the decode positions, >= 0, may be fractional (a mean); prefix-cache hits excluded; default 0", HelpName = "N" };
        var accepted = new Option<double?>("--accepted") { Description = "Speculative decoding: mean accepted length (tokens emitted per verify step, 1..draft+1)" };
        var format = new Option<OutputFormat>("--format", "-f") { Description = "Output format", DefaultValueFactory = _ => OutputFormat.Table, HelpName = "table|json|csv" };
        var pareto = new Option<string?>("--pareto") { Description = "Write the SOL Pareto frontier chart (tokens/s/user vs tokens/s/GPU) to FILE.png or FILE.svg" };
        var tpSweep = new Option<string?>("--tp-sweep") { Description = "Evaluate several TP degrees, e.g. 1,2,4,8 (one curve each on --pareto)" };
        var compare = new Option<string?>("--compare") { Description = "Overlay a `solprof sweep` result on the SOL frontier; the configuration comes from the sweep unless given here", HelpName = "results.json" };

        var command = new Command("sol", "Speed-of-light decode step for a model, GPU, parallelism and operating point");
        deployment.AddTo(command);
        foreach (var option in new Option[] { batch, context, draft, accepted, prefillTokens, format, pareto, tpSweep, compare })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
        {
            if (parse.GetValue(draft) is null != parse.GetValue(accepted) is null)
            {
                throw new SolInputException("--draft and --accepted go together (draft tokens and mean accepted length)");
            }

            var given = deployment.Read(parse);
            if (parse.GetValue(tpSweep) is not null && given.Tp is not null)
            {
                throw new SolInputException("give either --tp or --tp-sweep, not both");
            }

            if (parse.GetValue(pareto) is { } chartPath)
            {
                ParetoChart.CheckPath(chartPath); // before any output, so a bad path leaves nothing half done
            }

            var sweep = parse.GetValue(compare) is { } comparePath ? Compare.SweepInput.Read(comparePath) : null;
            if (sweep is not null && parse.GetValue(tpSweep) is not null)
            {
                throw new SolInputException("--compare takes one configuration: give --tp to change the sweep's TP, not --tp-sweep");
            }

            string Given(string? value, string? fromSweep, string flag) =>
                value ?? fromSweep ?? throw new SolInputException($"Option '{flag}' is required.");

            var ctx = parse.GetValue(context) is { } ctxText
                ? double.TryParse(ctxText, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : throw new SolInputException($"context '{ctxText}' is not a number")
                : sweep?.ClientContextTokens ?? throw new SolInputException("Option '--context' is required.");
            var batches = parse.GetValue(batch) is { } batchText
                ? IntListParser.Parse(batchText, "batch")
                : sweep is not null ? null : throw new SolInputException("Option '--batch' is required.");
            var request = new SolRequest(
                Model: Given(given.Model, sweep?.Model, "--model"),
                Gpu: Given(given.Gpu, sweep?.Gpu, "--gpu"),
                GpuFile: given.GpuFile ?? sweep?.GpuFile,
                TpValues: parse.GetValue(tpSweep) is { } tps ? IntListParser.Parse(tps, "TP") : [given.Tp ?? sweep?.Tp ?? 1],
                Pp: given.Pp ?? sweep?.Pp ?? 1,
                Ep: given.Ep ?? sweep?.Ep ?? 1,
                AttentionDp: given.AttentionDp ?? sweep?.AttentionDp ?? 1,
                Batches: batches ?? [1],
                Context: ctx,
                Precisions: new PrecisionChoice(
                    given.Precisions.Weights ?? PrecisionRoles.ParseOptional(sweep?.Weights, PrecisionRole.Weights),
                    given.Precisions.ExpertWeights ?? PrecisionRoles.ParseOptional(sweep?.ExpertWeights, PrecisionRole.ExpertWeights),
                    given.Precisions.Kv ?? PrecisionRoles.ParseOptional(sweep?.Kv, PrecisionRole.Kv),
                    given.Precisions.Activations ?? PrecisionRoles.ParseOptional(sweep?.Activations, PrecisionRole.Activations),
                    given.Precisions.Dispatch ?? PrecisionRoles.ParseOptional(sweep?.Dispatch, PrecisionRole.Dispatch)),
                Speculative: parse.GetValue(draft) is { } d ? new SpeculativeDecoding(d, parse.GetValue(accepted)!.Value) : null,
                Format: parse.GetValue(format),
                ParetoPath: parse.GetValue(pareto),
                PrefillTokens: PrefillTokens(parse.GetValue(prefillTokens)));

            if (sweep is not null)
            {
                if (batches is null)
                {
                    // the sweep's own frontier: far enough that every measured level has the SOL above it
                    var prepared = SolRunner.Run(request)[0].Prepared;
                    var highest = sweep.Levels.Select(l => Math.Max(l.Concurrency, (int)Math.Ceiling(l.Batch ?? 0))).DefaultIfEmpty(1).Max();
                    request = request with { Batches = FrontierBatches.For(prepared, ctx, new StepLoad(request.PrefillTokens), highest, sweep.Levels.Select(l => l.TokensPerSecondPerUser)) };
                }

                var comparison = Compare.SweepComparison.Build(sweep, SolRunner.Run(request)[0]);
                switch (request.Format)
                {
                    case OutputFormat.Json:
                        Compare.ComparisonWriters.WriteJson(stdout, comparison);
                        break;
                    case OutputFormat.Csv:
                        Compare.ComparisonWriters.WriteCsv(stdout, comparison);
                        break;
                    default:
                        Compare.ComparisonTableRenderer.Render(stdout, comparison);
                        break;
                }

                if (request.ParetoPath is { } comparePng)
                {
                    ParetoChart.Save(comparePng, [comparison.Frontier], comparison.Levels);
                    stderr.WriteLine($"wrote {comparePng}");
                }

                return CliApp.ExitOk;
            }

            var evaluations = SolRunner.Run(request);
            switch (request.Format)
            {
                case OutputFormat.Json:
                    SolJsonWriter.Write(stdout, evaluations);
                    break;
                case OutputFormat.Csv:
                    SolCsvWriter.Write(stdout, evaluations);
                    break;
                default:
                    SolTableRenderer.Render(stdout, evaluations);
                    break;
            }

            if (request.ParetoPath is { } path)
            {
                ParetoChart.Save(path, evaluations);
                stderr.WriteLine($"wrote {path}");
            }

            return CliApp.ExitOk;
        });
        return command;
    }

    /// <summary><c>--prefill-tokens</c>: a finite number >= 0 (a mean over steps may be fractional); 0 when not given.</summary>
    private static double PrefillTokens(string? text)
    {
        if (text is null)
        {
            return 0;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new SolInputException($"--prefill-tokens '{text}' is not a number (prompt tokens per step, e.g. 512)");
        }

        return value >= 0 ? value : throw new SolInputException($"--prefill-tokens {text} must be >= 0 (prompt tokens computed per step)");
    }
}
