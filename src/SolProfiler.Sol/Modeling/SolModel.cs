using SolProfiler.Sol.Hardware;
using SolProfiler.Sol.Models;

namespace SolProfiler.Sol.Modeling;

/// <summary>
/// Entry point of the SOL decode model (DESIGN.md section 3): validates a configuration once and returns a
/// <see cref="PreparedSol"/> that evaluates operating points without allocation-heavy work.
/// </summary>
public static class SolModel
{
    public static PreparedSol Prepare(SolConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var m = config.Model;
        var gpu = config.Gpu;
        var par = config.Parallelism;
        var warnings = new List<string>(m.Warnings);
        Validate(m, par, config.Speculative);
        if (m.Moe is { } moe && par.Ep > 1 && moe.RoutedExperts % par.Ep != 0)
        {
            // As EPLB does (SGLang, DeepSeek: 288 slots for 256 experts over 72 or 144 ranks): whole slots per rank,
            // the spare ones holding redundant copies of hot experts.
            var slots = (int)Math.Ceiling((double)moe.RoutedExperts / par.Ep);
            warnings.Add($"EP {par.Ep} does not divide the {moe.RoutedExperts} routed experts: each rank holds {slots} expert slots ({slots * par.Ep} in all, {(slots * par.Ep) - moe.RoutedExperts} redundant copies); a step reads the touched experts once, {moe.RoutedExperts / (double)par.Ep:0.##} per rank on average");
        }


        var weights = config.Precisions.Weights ?? m.DefaultWeights;
        var expertWeights = config.Precisions.ExpertWeights ?? (config.Precisions.Weights is null ? m.DefaultExpertWeights ?? weights : weights);
        var kv = config.Precisions.Kv ?? m.ActivationDtype;
        if (!PrecisionFacts.IsValidForKv(kv))
        {
            throw new SolInputException($"KV-cache precision '{PrecisionFacts.Name(kv)}' is not supported; use bf16, fp16 or fp8");
        }

        var activations = config.Precisions.Activations ?? PrecisionFacts.DefaultActivations(weights, m.ActivationDtype);
        if (!PrecisionFacts.IsValidForActivations(activations))
        {
            throw new SolInputException($"activation precision '{PrecisionFacts.Name(activations)}' is not supported; use fp32, bf16, fp16, fp8, int8, nvfp4 or mxfp4");
        }

        var dispatch = config.Precisions.Dispatch ?? PrecisionFacts.DefaultDispatch(activations, m.ActivationDtype);
        if (!PrecisionFacts.IsValidForDispatch(dispatch))
        {
            throw new SolInputException($"expert dispatch precision '{PrecisionFacts.Name(dispatch)}' is not supported; use fp8, bf16 or fp16");
        }

        // Expert GEMMs take inputs in the experts' own format unless told otherwise (W4A4 NVFP4 experts beside FP8 dense layers).
        var expertActivations = config.Precisions.Activations ?? PrecisionFacts.DefaultActivations(expertWeights, m.ActivationDtype);

        // LM head, norms and router stay in the checkpoint's 16-bit dtype (32-bit where the weights are fp32).
        var head = weights == Precision.Fp32 ? Precision.Fp32 : m.ActivationDtype;
        var peaks = new OperationPeaks(
            Peak(gpu, "GEMMs", PrecisionFacts.MathFor(weights, activations), $"weights {PrecisionFacts.Name(weights)} x activations {PrecisionFacts.Name(activations)}", m),
            Peak(gpu, "routed experts", PrecisionFacts.MathFor(expertWeights, expertActivations), $"expert weights {PrecisionFacts.Name(expertWeights)} x activations {PrecisionFacts.Name(expertActivations)}", m),
            Peak(gpu, "attention", PrecisionFacts.MathFor(kv, activations), $"KV {PrecisionFacts.Name(kv)} x activations {PrecisionFacts.Name(activations)}", m),
            Peak(gpu, "LM head and router", PrecisionFacts.MathFor(head, head), PrecisionFacts.Name(head), m));

        var fabric = new Fabric(gpu);
        if (par.GpusPerReplica > fabric.DomainSize && gpu.ScaleOut is null)
        {
            throw new SolInputException($"{par.GpusPerReplica} GPUs per replica exceed the {gpu.ScaleUpName} domain of {fabric.DomainSize} GPUs, and GPU '{gpu.Id}' names no scale-out network ('scaleOut' in its catalog entry) to cross it");
        }

        var counts = new ParameterCounts(m);
        var layout = new StageLayout(m, counts, par, weights, expertWeights, kv, dispatch, fabric.DomainSize);
        StagePlan[][] variants = par.AttentionDp > 1 && m.Layers.Any(l => !l.IsMoe)
            ? [layout.Build(denseInAttentionGroup: false), layout.Build(denseInAttentionGroup: true)]
            : [layout.Build(denseInAttentionGroup: false)];
        var kvPerToken = KvBytesPerTokenPerLayer(m, kv) * m.NumLayers;
        var kvReplication = m.Attention == AttentionKind.Mla ? par.AttentionTp : (double)par.AttentionTp / Math.Min(par.AttentionTp, m.NumKvHeads);
        var precisions = new ResolvedPrecisions(weights, expertWeights, kv, activations, peaks.Linear.Math, dispatch);
        return new PreparedSol(config, variants, counts, precisions, peaks, fabric, kvPerToken, kvReplication, warnings);
    }

    private static OperationPeak Peak(GpuSpec gpu, string operation, MathPrecision math, string formats, ModelArchitecture m)
    {
        if (!gpu.PeakFlopsPerSecond.TryGetValue(math, out var peak))
        {
            throw new SolInputException($"GPU '{gpu.Id}' has no {PrecisionFacts.Name(math)} tensor peak for the {operation} ({formats}); it supports {string.Join(", ", gpu.PeakFlopsPerSecond.Keys.Select(PrecisionFacts.Name))}; weight-only kernels run with --activations {PrecisionFacts.Name(m.ActivationDtype)}");
        }

        if (!gpu.JoulesPerFlop.TryGetValue(math, out var joules))
        {
            throw new SolInputException($"GPU '{gpu.Id}' has no {PrecisionFacts.Name(math)} energy per FLOP in its catalog entry");
        }

        return new OperationPeak(math, peak.Value, joules.Value);
    }

    private static void Validate(ModelArchitecture m, Parallelism p, SpeculativeDecoding? spec)
    {
        Positive(p.Tp, "TP");
        Positive(p.Pp, "PP");
        Positive(p.Ep, "EP");
        Positive(p.AttentionDp, "attention-DP");
        if (p.Pp > m.NumLayers)
        {
            throw new SolInputException($"PP {p.Pp} exceeds the model's {m.NumLayers} layers");
        }

        if (p.Tp % p.AttentionDp != 0)
        {
            throw new SolInputException($"attention-DP {p.AttentionDp} does not divide TP {p.Tp}");
        }

        var attnTp = p.AttentionTp;
        if (m.NumHeads % attnTp != 0)
        {
            throw new SolInputException($"attention TP {attnTp} (TP {p.Tp} / attention-DP {p.AttentionDp}) does not divide the {m.NumHeads} attention heads");
        }

        if (m.Attention == AttentionKind.Gqa && attnTp % m.NumKvHeads != 0 && m.NumKvHeads % attnTp != 0)
        {
            throw new SolInputException($"attention TP {attnTp} neither divides the {m.NumKvHeads} KV heads nor is a multiple of them (KV heads cannot be split or replicated evenly)");
        }

        if (p.Ep > 1)
        {
            if (m.Moe is null)
            {
                throw new SolInputException($"EP {p.Ep} given but {m.Id} is a dense model (no experts)");
            }

            if (p.Tp % p.Ep != 0)
            {
                throw new SolInputException($"EP {p.Ep} does not divide TP {p.Tp} (experts are spread over the TP ranks of a stage: EP x expert-TP = TP)");
            }
        }

        if (spec is not null)
        {
            if (spec.DraftTokens < 1)
            {
                throw new SolInputException($"draft tokens {spec.DraftTokens} must be >= 1");
            }

            if (!(spec.MeanAcceptedLength >= 1 && spec.MeanAcceptedLength <= spec.DraftTokens + 1))
            {
                throw new SolInputException($"mean accepted length {spec.MeanAcceptedLength} must be between 1 and draft tokens + 1 = {spec.DraftTokens + 1}");
            }
        }
    }

    private static void Positive(int value, string name)
    {
        if (value < 1)
        {
            throw new SolInputException($"{name} {value} must be >= 1");
        }
    }

    /// <summary>KV bytes one token adds per layer, all heads: 2 x n_kv x head_dim (GQA) or the MLA latent plus RoPE key.</summary>
    internal static double KvBytesPerTokenPerLayer(ModelArchitecture m, Precision kv)
    {
        var elements = m.Mla is { } mla ? mla.KvLoraRank + mla.QkRopeHeadDim : 2.0 * m.NumKvHeads * m.HeadDim;
        return elements * PrecisionFacts.ElementBytes(kv);
    }
}

/// <summary>The formats the model ended up with after defaults were applied: <see cref="Math"/> is the GEMMs' tensor format; <see cref="Dispatch"/> that of expert dispatch (combine runs at 16 bits).</summary>
public sealed record ResolvedPrecisions(Precision Weights, Precision ExpertWeights, Precision Kv, Precision Activations, MathPrecision Math, Precision Dispatch);
