using System.CommandLine;
using System.Globalization;
using SolProfiler.Cli.Common;
using SolProfiler.Sol;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Cli.Sol;

/// <summary><c>solprof sol</c>: the SOL decode model offline, as a table, JSON, CSV and a Pareto chart.</summary>
public static class SolCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        // --model, --gpu, --batch and --context are required unless --compare brings them from a sweep.
        var model = new Option<string?>("--model", "-m") { Description = "Catalog model id (e.g. llama-3.1-70b) or path to a Hugging Face config.json (required)", HelpName = "id|config.json" };
        var gpu = new Option<string?>("--gpu", "-g") { Description = "Catalog GPU id (e.g. h100-sxm) (required)", HelpName = "id" };
        var gpuFile = new Option<string?>("--gpu-file") { Description = "JSON or YAML file that adds or overrides GPUs" };
        var tp = new Option<int>("--tp") { Description = "Tensor-parallel degree", DefaultValueFactory = _ => 1 };
        var pp = new Option<int>("--pp") { Description = "Pipeline-parallel stages", DefaultValueFactory = _ => 1 };
        var ep = new Option<int>("--ep") { Description = "Expert-parallel degree (divides TP)", DefaultValueFactory = _ => 1 };
        var attentionDp = new Option<int>("--attention-dp") { Description = "Attention data-parallel groups (divides TP)", DefaultValueFactory = _ => 1 };
        var batch = new Option<string?>("--batch", "-b") { Description = "Sequences decoding together per replica: B, a list 1,8,64 or a range A..B (powers of two) (required)", HelpName = "B|LIST|A..B" };
        var context = new Option<string?>("--context", "-l") { Description = "Mean context length in tokens (required)" };
        var weights = new Option<string?>("--weights") { Description = $"Weight precision ({string.Join(", ", PrecisionFacts.AllNames)}); default: as the checkpoint ships" };
        var expertWeights = new Option<string?>("--expert-weights") { Description = "Routed-expert weight precision when it differs from --weights" };
        var kv = new Option<string?>("--kv") { Description = "KV-cache precision (bf16, fp16, fp8); default: the model dtype" };
        var activations = new Option<string?>("--activations") { Description = "GEMM input precision; default follows the weights (fp8 -> fp8, nvfp4 -> nvfp4, else 16-bit)" };
        var dispatch = new Option<string?>("--dispatch") { Description = "Expert dispatch precision (fp8, bf16, fp16); combine stays 16-bit; default: fp8 where the GEMMs take 8-bit or narrower inputs, else the model dtype", HelpName = "fp8|bf16" };
        var draft = new Option<int?>("--draft") { Description = "Speculative decoding: draft tokens per verify step" };
        var prefillTokens = new Option<string?>("--prefill-tokens") { Description = "Mixed steps (chunked prefill): prompt tokens computed in every step beside the decode positions, >= 0, may be fractional (a mean); prefix-cache hits excluded; default 0", HelpName = "N" };
        var accepted = new Option<double?>("--accepted") { Description = "Speculative decoding: mean accepted length (tokens emitted per verify step, 1..draft+1)" };
        var format = new Option<OutputFormat>("--format", "-f") { Description = "Output format", DefaultValueFactory = _ => OutputFormat.Table, HelpName = "table|json|csv" };
        var pareto = new Option<string?>("--pareto") { Description = "Write the SOL Pareto frontier chart (tokens/s/user vs tokens/s/GPU) to FILE.png or FILE.svg" };
        var tpSweep = new Option<string?>("--tp-sweep") { Description = "Evaluate several TP degrees, e.g. 1,2,4,8 (one curve each on --pareto)" };
        var compare = new Option<string?>("--compare") { Description = "Overlay a `solprof sweep` result on the SOL frontier; the configuration comes from the sweep unless given here", HelpName = "results.json" };

        var command = new Command("sol", "Speed-of-light decode step for a model, GPU, parallelism and operating point")
        {
            model, gpu, gpuFile, tp, pp, ep, attentionDp, batch, context, weights, expertWeights, kv, activations, dispatch, draft, accepted, prefillTokens, format, pareto, tpSweep, compare,
        };

        command.SetAction(parse =>
        {
            if (parse.GetValue(draft) is null != parse.GetValue(accepted) is null)
            {
                throw new SolInputException("--draft and --accepted go together (draft tokens and mean accepted length)");
            }

            if (parse.GetValue(tpSweep) is not null && parse.GetResult(tp) is { Implicit: false })
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

            int Explicit(Option<int> option, int fromSweep) => parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option) : fromSweep;
            string Given(string? value, string? fromSweep, string flag) =>
                value ?? fromSweep ?? throw new SolInputException($"Option '{flag}' is required.");

            var ctx = parse.GetValue(context) is { } ctxText
                ? double.TryParse(ctxText, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : throw new SolInputException($"context '{ctxText}' is not a number")
                : sweep?.ClientContextTokens ?? throw new SolInputException("Option '--context' is required.");
            var batches = parse.GetValue(batch) is { } batchText
                ? IntListParser.Parse(batchText, "batch")
                : sweep is not null ? null : throw new SolInputException("Option '--batch' is required.");
            var request = new SolRequest(
                Model: Given(parse.GetValue(model), sweep?.Model, "--model"),
                Gpu: Given(parse.GetValue(gpu), sweep?.Gpu, "--gpu"),
                GpuFile: parse.GetValue(gpuFile) ?? sweep?.GpuFile,
                TpValues: parse.GetValue(tpSweep) is { } tps ? IntListParser.Parse(tps, "TP") : [Explicit(tp, sweep?.Tp ?? 1)],
                Pp: Explicit(pp, sweep?.Pp ?? 1),
                Ep: Explicit(ep, sweep?.Ep ?? 1),
                AttentionDp: Explicit(attentionDp, sweep?.AttentionDp ?? 1),
                Batches: batches ?? [1],
                Context: ctx,
                Precisions: new PrecisionChoice(
                    PrecisionFacts.ParseOptional(parse.GetValue(weights) ?? sweep?.Weights, "weight"),
                    PrecisionFacts.ParseOptional(parse.GetValue(expertWeights) ?? sweep?.ExpertWeights, "expert weight"),
                    PrecisionFacts.ParseOptional(parse.GetValue(kv) ?? sweep?.Kv, "KV-cache"),
                    PrecisionFacts.ParseOptional(parse.GetValue(activations) ?? sweep?.Activations, "activation"),
                    PrecisionFacts.ParseOptional(parse.GetValue(dispatch), "dispatch")),
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
