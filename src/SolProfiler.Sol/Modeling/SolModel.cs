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
            throw new SolInputException($"activation precision '{PrecisionFacts.Name(activations)}' is not supported; use bf16, fp16, fp8, int8, nvfp4 or mxfp4");
        }

        var math = PrecisionFacts.MathFor(weights, activations);
        var expertMath = PrecisionFacts.MathFor(expertWeights, activations);
        if (ElementWidth(expertMath) > ElementWidth(math))
        {
            math = expertMath;
        }

        if (!gpu.PeakFlopsPerSecond.TryGetValue(math, out var peak))
        {
            throw new SolInputException($"GPU '{gpu.Id}' has no {PrecisionFacts.Name(math)} tensor peak (weights {PrecisionFacts.Name(weights)} x activations {PrecisionFacts.Name(activations)}); it supports {string.Join(", ", gpu.PeakFlopsPerSecond.Keys.Select(PrecisionFacts.Name))}; weight-only kernels run with --activations {PrecisionFacts.Name(m.ActivationDtype)}");
        }

        if (!gpu.JoulesPerFlop.TryGetValue(math, out var joulesPerFlop))
        {
            throw new SolInputException($"GPU '{gpu.Id}' has no {PrecisionFacts.Name(math)} energy per FLOP in its catalog entry");
        }

        if (par.GpusPerReplica > gpu.ScaleUpDomainSize.Value)
        {
            warnings.Add($"{par.GpusPerReplica} GPUs per replica exceed the {gpu.ScaleUpName} domain of {gpu.ScaleUpDomainSize.Value} GPUs; communication is modelled at scale-up bandwidth, so the SOL is optimistic");
        }

        var counts = new ParameterCounts(m);
        var stages = BuildStages(m, counts, par, weights, expertWeights, kv);
        var kvPerToken = KvBytesPerTokenPerLayer(m, kv) * m.NumLayers;
        return new PreparedSol(config, stages, counts, new ResolvedPrecisions(weights, expertWeights, kv, activations, math), peak.Value, joulesPerFlop.Value, kvPerToken, warnings);
    }

    private static int ElementWidth(MathPrecision p) => p switch
    {
        MathPrecision.Bf16 or MathPrecision.Fp16 => 16,
        MathPrecision.Fp8 or MathPrecision.Int8 => 8,
        _ => 4,
    };

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

            if (m.Moe.RoutedExperts % p.Ep != 0)
            {
                throw new SolInputException($"EP {p.Ep} does not divide the {m.Moe.RoutedExperts} routed experts");
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

    private static StagePlan[] BuildStages(ModelArchitecture m, ParameterCounts c, Parallelism p, Precision weights, Precision expertWeights, Precision kv)
    {
        double h = m.HiddenSize;
        var bw = PrecisionFacts.WeightBytesPerElement(weights);
        var bwExpert = PrecisionFacts.WeightBytesPerElement(expertWeights);
        var b16 = PrecisionFacts.ElementBytes(m.ActivationDtype);
        var act = b16; // the residual stream that collectives carry stays in the 16-bit dtype
        double tp = p.Tp;
        double attnTp = p.AttentionTp;
        double ep = p.Ep;

        // KV heads split at most n_kv ways; beyond that they are replicated. MLA's latent is shared by all heads,
        // so every attention-TP rank holds and reads all of it.
        var kvSplit = m.Attention == AttentionKind.Mla ? 1.0 : Math.Min(attnTp, m.NumKvHeads);
        var kvLayer = KvBytesPerTokenPerLayer(m, kv) / kvSplit;
        var attnScorePerLayer = (m.Mla is { } mla
            ? 2.0 * m.NumHeads * ((mla.KvLoraRank + mla.QkRopeHeadDim) + mla.KvLoraRank) // absorbed MLA: QK over 576, PV over 512
            : 4.0 * m.NumHeads * m.HeadDim) / attnTp;

        var attnWeightBytes = ((c.AttentionLinear * bw) + (c.AttentionSmall * b16)) / attnTp;
        var normBytes = c.LayerNorms * b16;
        var denseBytes = ((c.DenseFfnLinear * bw) + (c.DenseFfnSmall * b16)) / tp;
        var sharedBytes = c.SharedLinear * bw / tp;
        var routerBytes = c.Router * b16; // small GEMM every rank runs in full
        var expertBytes = ((c.ExpertLinear * bwExpert) + (c.ExpertSmall * b16)) / (tp / ep);
        var experts = m.Moe?.RoutedExperts ?? 0;
        var k = m.Moe?.ExpertsPerToken ?? 0;

        // Collectives per layer (ring / pairwise volumes, per GPU):
        var arAttn = attnTp > 1 ? 2 * (attnTp - 1) / attnTp * h * act : 0;       // attention output all-reduce within a DP group
        var arFfn = tp > 1 ? 2 * (tp - 1) / tp * h * act : 0;                     // FFN all-reduce (or all-gather + reduce-scatter with attention DP)
        var ffnCollectives = tp > 1 ? (p.AttentionDp > 1 ? 2 : 1) : 0;
        var a2a = ep > 1 ? 2 * (1.0 / tp) * k * h * act * (ep - 1) / ep : 0;      // dispatch + combine of each GPU's 1/TP share of tokens
        var expertTp = tp / ep;
        var arExpert = ep > 1 && expertTp > 1 ? 2 * (expertTp - 1) / expertTp * (k / ep) * h * act : 0;

        var stages = new StagePlan[p.Pp];
        var baseLayers = m.NumLayers / p.Pp;
        var extra = m.NumLayers % p.Pp;
        var start = 0;
        for (var s = 0; s < p.Pp; s++)
        {
            var count = baseLayers + (s < extra ? 1 : 0);
            var isFirst = s == 0;
            var isLast = s == p.Pp - 1;
            double fixedBytes = 0, groupFlops = 0, allFlops = 0, lmHeadFlops = 0, kvFull = 0, scoreFull = 0, commGroup = 0, commAll = 0;
            var collectives = 0;
            var moeLayers = 0;
            var slidingKv = new Dictionary<int, double>();
            var slidingScore = new Dictionary<int, double>();
            for (var i = start; i < start + count; i++)
            {
                var layer = m.Layers[i];
                fixedBytes += attnWeightBytes + normBytes;
                groupFlops += 2.0 * c.AttentionLinear / attnTp;
                if (layer.SlidingWindow is { } w)
                {
                    slidingKv[w] = slidingKv.GetValueOrDefault(w) + kvLayer;
                    slidingScore[w] = slidingScore.GetValueOrDefault(w) + attnScorePerLayer;
                }
                else
                {
                    kvFull += kvLayer;
                    scoreFull += attnScorePerLayer;
                }

                if (attnTp > 1)
                {
                    commGroup += arAttn;
                    collectives++;
                }

                if (layer.IsMoe)
                {
                    moeLayers++;
                    fixedBytes += sharedBytes + routerBytes;
                    allFlops += 2.0 * (c.SharedLinear + (k * c.ExpertLinear)) / tp;
                    allFlops += 2.0 * c.Router; // every rank routes its tokens with the full router
                    if (ep > 1)
                    {
                        commAll += a2a + arExpert;
                        collectives += 2 + (arExpert > 0 ? 1 : 0);
                    }
                    else
                    {
                        commAll += arFfn;
                        collectives += ffnCollectives;
                    }
                }
                else
                {
                    fixedBytes += denseBytes;
                    allFlops += 2.0 * c.DenseFfnLinear / tp;
                    commAll += arFfn;
                    collectives += ffnCollectives;
                }
            }

            var resident = fixedBytes + (moeLayers * (experts / ep) * expertBytes);
            if (isLast)
            {
                // The LM head (vocab-parallel over TP) is read in full every step, tied or not; kept in the 16-bit dtype.
                fixedBytes += (c.LmHead * b16 / tp) + (c.FinalNorm * b16);
                lmHeadFlops = 2.0 * c.LmHead / tp;
                allFlops += lmHeadFlops;
                resident += (c.LmHead * b16 / tp) + (c.FinalNorm * b16);
            }
            else
            {
                commAll += h * act; // activations to the next stage
                collectives++;
            }

            if (isFirst && !(isLast && m.TieWordEmbeddings))
            {
                resident += c.Embedding * b16 / tp; // resident but not read: only B rows are gathered
            }

            stages[s] = new StagePlan
            {
                FixedWeightBytes = fixedBytes,
                ExpertBytesPerExpert = expertBytes,
                MoeLayers = moeLayers,
                ResidentWeightBytes = resident,
                KvPerTokenFull = kvFull,
                KvPerTokenSliding = slidingKv.Select(kv => (kv.Key, kv.Value)).ToArray(),
                GroupLinearFlopsPerToken = groupFlops,
                AllLinearFlopsPerToken = allFlops,
                LmHeadFlopsPerToken = lmHeadFlops,
                AttentionFlopsPerContextFull = scoreFull,
                AttentionFlopsPerContextSliding = slidingScore.Select(x => (x.Key, x.Value)).ToArray(),
                CommBytesPerGroupToken = commGroup,
                CommBytesPerToken = commAll,
                Collectives = collectives,
                IsLast = isLast,
            };
            start += count;
        }

        return stages;
    }
}

/// <summary>The formats the model ended up with after defaults were applied.</summary>
public sealed record ResolvedPrecisions(Precision Weights, Precision ExpertWeights, Precision Kv, Precision Activations, MathPrecision Math);
