using System.CommandLine;
using System.Globalization;
using SolProfiler.Sol;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Cli.Sol;

/// <summary><c>solprof sol</c>: the SOL decode model offline, as a table, JSON, CSV and a Pareto chart.</summary>
public static class SolCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var model = new Option<string>("--model", "-m") { Description = "Catalog model id (e.g. llama-3.1-70b) or path to a Hugging Face config.json", Required = true, HelpName = "id|config.json" };
        var gpu = new Option<string>("--gpu", "-g") { Description = "Catalog GPU id (e.g. h100-sxm)", Required = true, HelpName = "id" };
        var gpuFile = new Option<string?>("--gpu-file") { Description = "JSON or YAML file that adds or overrides GPUs" };
        var tp = new Option<int>("--tp") { Description = "Tensor-parallel degree", DefaultValueFactory = _ => 1 };
        var pp = new Option<int>("--pp") { Description = "Pipeline-parallel stages", DefaultValueFactory = _ => 1 };
        var ep = new Option<int>("--ep") { Description = "Expert-parallel degree (divides TP)", DefaultValueFactory = _ => 1 };
        var attentionDp = new Option<int>("--attention-dp") { Description = "Attention data-parallel groups (divides TP)", DefaultValueFactory = _ => 1 };
        var batch = new Option<string>("--batch", "-b") { Description = "Sequences decoding together per replica: B, a list 1,8,64 or a range A..B (powers of two)", Required = true, HelpName = "B|LIST|A..B" };
        var context = new Option<string>("--context", "-l") { Description = "Mean context length in tokens", Required = true };
        var weights = new Option<string?>("--weights") { Description = $"Weight precision ({string.Join(", ", PrecisionFacts.AllNames)}); default: as the checkpoint ships" };
        var expertWeights = new Option<string?>("--expert-weights") { Description = "Routed-expert weight precision when it differs from --weights" };
        var kv = new Option<string?>("--kv") { Description = "KV-cache precision (bf16, fp16, fp8); default: the model dtype" };
        var activations = new Option<string?>("--activations") { Description = "GEMM input precision; default follows the weights (fp8 -> fp8, nvfp4 -> nvfp4, else 16-bit)" };
        var draft = new Option<int?>("--draft") { Description = "Speculative decoding: draft tokens per verify step" };
        var accepted = new Option<double?>("--accepted") { Description = "Speculative decoding: mean accepted length (tokens emitted per verify step, 1..draft+1)" };
        var format = new Option<OutputFormat>("--format", "-f") { Description = "Output format", DefaultValueFactory = _ => OutputFormat.Table, HelpName = "table|json|csv" };
        var pareto = new Option<string?>("--pareto") { Description = "Write the SOL Pareto frontier chart (tokens/s/user vs tokens/s/GPU) to FILE.png or FILE.svg" };
        var tpSweep = new Option<string?>("--tp-sweep") { Description = "Evaluate several TP degrees, e.g. 1,2,4,8 (one curve each on --pareto)" };

        var command = new Command("sol", "Speed-of-light decode step for a model, GPU, parallelism and operating point")
        {
            model, gpu, gpuFile, tp, pp, ep, attentionDp, batch, context, weights, expertWeights, kv, activations, draft, accepted, format, pareto, tpSweep,
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

            var ctxText = parse.GetValue(context)!;
            if (!double.TryParse(ctxText, NumberStyles.Float, CultureInfo.InvariantCulture, out var ctx))
            {
                throw new SolInputException($"context '{ctxText}' is not a number");
            }

            var request = new SolRequest(
                Model: parse.GetValue(model)!,
                Gpu: parse.GetValue(gpu)!,
                GpuFile: parse.GetValue(gpuFile),
                TpValues: parse.GetValue(tpSweep) is { } sweep ? IntListParser.Parse(sweep, "TP") : [parse.GetValue(tp)],
                Pp: parse.GetValue(pp),
                Ep: parse.GetValue(ep),
                AttentionDp: parse.GetValue(attentionDp),
                Batches: IntListParser.Parse(parse.GetValue(batch)!, "batch"),
                Context: ctx,
                Precisions: new PrecisionChoice(
                    PrecisionFacts.ParseOptional(parse.GetValue(weights), "weight"),
                    PrecisionFacts.ParseOptional(parse.GetValue(expertWeights), "expert weight"),
                    PrecisionFacts.ParseOptional(parse.GetValue(kv), "KV-cache"),
                    PrecisionFacts.ParseOptional(parse.GetValue(activations), "activation")),
                Speculative: parse.GetValue(draft) is { } d ? new SpeculativeDecoding(d, parse.GetValue(accepted)!.Value) : null,
                Format: parse.GetValue(format),
                ParetoPath: parse.GetValue(pareto));

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

}
