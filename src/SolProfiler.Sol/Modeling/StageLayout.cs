using SolProfiler.Sol.Models;

namespace SolProfiler.Sol.Modeling;

/// <summary>
/// How a configuration's layers land on its GPUs: builds the <see cref="StagePlan"/> of every pipeline stage, the
/// per-GPU weight, KV, FLOP and collective coefficients of DESIGN.md section 3.
/// </summary>
/// <remarks>
/// KV layout: the bound reads each cached byte once per step across an attention group (KV partitioned by batch, as
/// PaLM's inference does, when attention-TP exceeds the KV heads; MLA's single latent likewise), so per GPU it is the
/// group's KV over attention-TP. Engines that replicate KV heads read more: that is their <c>extra_bytes</c>.
/// Dense layers under attention-DP have two legal patterns, built as two variants and chosen per point by the step
/// they give: split over all TP ranks (tokens all-gathered before, reduce-scattered after), or split over the
/// attention group's ranks only (an all-reduce inside the group, more weight bytes per GPU; SGLang's
/// <c>--moe-dense-tp-size</c>).
/// </remarks>
internal sealed class StageLayout
{
    private readonly ModelArchitecture _m;
    private readonly ParameterCounts _c;
    private readonly Parallelism _p;
    private readonly Precision _weights;
    private readonly Precision _expertWeights;
    private readonly Precision _kv;
    private readonly Precision _dispatch;
    private readonly int _domain;

    public StageLayout(ModelArchitecture m, ParameterCounts c, Parallelism p, Precision weights, Precision expertWeights, Precision kv, Precision dispatch, int domainSize)
    {
        _m = m;
        _c = c;
        _p = p;
        _weights = weights;
        _expertWeights = expertWeights;
        _kv = kv;
        _dispatch = dispatch;
        _domain = domainSize;
    }

    public StagePlan[] Build(bool denseInAttentionGroup)
    {
        var m = _m;
        var c = _c;
        var p = _p;
        double h = m.HiddenSize;
        var bw = PrecisionFacts.WeightBytesPerElement(_weights);
        var bwExpert = PrecisionFacts.WeightBytesPerElement(_expertWeights);
        var small = PrecisionFacts.ElementBytes(m.ActivationDtype);
        var head = _weights == Precision.Fp32 ? 4.0 : small; // LM head, norms, router: the 16-bit dtype (fp32 checkpoints keep them fp32)
        var act = small; // the residual stream that collectives carry stays in the 16-bit dtype
        var tp = p.Tp;
        var attnTp = p.AttentionTp;
        var ep = p.Ep;
        var denseTp = denseInAttentionGroup ? attnTp : tp;

        // KV partitioned across the attention group (see remarks), MLA included.
        var kvLayer = SolModel.KvBytesPerTokenPerLayer(m, _kv) / attnTp;
        var attnScorePerLayer = (m.Mla is { } mla
            ? 2.0 * m.NumHeads * ((mla.KvLoraRank + mla.QkRopeHeadDim) + mla.KvLoraRank) // absorbed MLA: QK over 576, PV over 512
            : 4.0 * m.NumHeads * m.HeadDim) / attnTp;

        var attnWeightBytes = ((c.AttentionLinear * bw) + (c.AttentionSmall * head)) / attnTp;
        var normBytes = c.LayerNorms * head;
        var denseBytes = ((c.DenseFfnLinear * bw) + (c.DenseFfnSmall * head)) / denseTp;
        var moeFfnTp = tp; // MoE layers without EP: experts TP-split over every rank
        var sharedBytes = c.SharedLinear * bw / tp;
        var routerBytes = c.Router * head; // small GEMM every rank runs in full
        var expertBytes = ((c.ExpertLinear * bwExpert) + (c.ExpertSmall * head)) / (tp / (double)ep);
        var experts = m.Moe?.RoutedExperts ?? 0;
        var k = m.Moe?.ExpertsPerToken ?? 0;

        var stages = new StagePlan[p.Pp];
        var baseLayers = m.NumLayers / p.Pp;
        var extra = m.NumLayers % p.Pp;
        var start = 0;
        for (var s = 0; s < p.Pp; s++)
        {
            var count = baseLayers + (s < extra ? 1 : 0);
            var isFirst = s == 0;
            var isLast = s == p.Pp - 1;
            double fixedBytes = 0, groupLinear = 0, linear = 0, expertFlops = 0, routerFlops = 0, headFlops = 0, kvFull = 0, scoreFull = 0;
            int attnLayers = 0, moeLayers = 0, denseLayers = 0, moeNoEpLayers = 0;
            var slidingKv = new Dictionary<int, double>();
            var slidingScore = new Dictionary<int, double>();
            for (var i = start; i < start + count; i++)
            {
                var layer = m.Layers[i];
                attnLayers++;
                fixedBytes += attnWeightBytes + normBytes;
                groupLinear += 2.0 * c.AttentionLinear / attnTp;
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

                if (layer.IsMoe)
                {
                    moeLayers++;
                    fixedBytes += sharedBytes + routerBytes;
                    linear += 2.0 * c.SharedLinear / tp;
                    expertFlops += 2.0 * k * c.ExpertLinear / tp;
                    routerFlops += 2.0 * c.Router; // every rank routes its tokens with the full router
                    if (ep == 1)
                    {
                        moeNoEpLayers++;
                    }
                }
                else
                {
                    denseLayers++;
                    fixedBytes += denseBytes;
                    if (denseInAttentionGroup)
                    {
                        groupLinear += 2.0 * c.DenseFfnLinear / denseTp;
                    }
                    else
                    {
                        linear += 2.0 * c.DenseFfnLinear / denseTp;
                    }
                }
            }

            var collectives = new List<Collective>();
            var firstGpu = s * tp;
            Add(collectives, CollectiveKind.AllReduce, attnTp, attnLayers, h * act, 0);
            AddFfn(collectives, denseLayers, denseInAttentionGroup ? attnTp : tp, denseInAttentionGroup, h * act);
            AddFfn(collectives, moeNoEpLayers, moeFfnTp, false, h * act);
            if (ep > 1 && moeLayers > 0)
            {
                // Each GPU dispatches its 1/TP share of the micro-batch's tokens (at the dispatch precision) and
                // gets their expert outputs back (combine, 16-bit), once per destination rank a token's k experts
                // sit on (deduplicated, as DeepEP sends a token once per rank and once per node).
                var (intra, inter, perDomain) = AllToAllFanout(experts, k, ep, tp);
                collectives.Add(new Collective(CollectiveKind.AllToAll, ep, perDomain, moeLayers, 0, h * PrecisionFacts.ElementBytes(_dispatch) / tp, intra, inter));
                collectives.Add(new Collective(CollectiveKind.AllToAll, ep, perDomain, moeLayers, 0, h * act / tp, intra, inter));
                var expertTp = tp / ep;
                Add(collectives, CollectiveKind.AllReduce, expertTp, moeLayers, 0, (double)k / ep * h * act);
            }

            // Whole expert slots per rank: where EP does not divide the experts the spare slots hold redundant copies.
            var resident = fixedBytes + (moeLayers * Math.Ceiling(experts / (double)ep) * expertBytes);
            if (isLast)
            {
                // The LM head (vocab-parallel over TP) is read in full every step, tied or not.
                fixedBytes += (c.LmHead * head / tp) + (c.FinalNorm * head);
                headFlops = 2.0 * c.LmHead / tp;
                resident += (c.LmHead * head / tp) + (c.FinalNorm * head);
            }
            else
            {
                // Activations to the next stage: GPU g of this stage sends to GPU g + TP.
                var crosses = firstGpu / _domain != (firstGpu + (2 * tp) - 1) / _domain;
                collectives.Add(new Collective(CollectiveKind.Send, 2, crosses ? 1 : 2, 1, 0, h * act));
            }

            if (isFirst && !(isLast && m.TieWordEmbeddings))
            {
                resident += c.Embedding * head / tp; // resident but not read: only B rows are gathered
            }

            stages[s] = new StagePlan
            {
                FixedWeightBytes = fixedBytes,
                ExpertBytesPerExpert = expertBytes,
                MoeLayers = moeLayers,
                ResidentWeightBytes = resident,
                KvPerTokenFull = kvFull,
                KvPerTokenSliding = slidingKv.Select(kv => (kv.Key, kv.Value)).ToArray(),
                LinearFlopsPerGroupToken = groupLinear,
                LinearFlopsPerToken = linear,
                ExpertFlopsPerToken = expertFlops,
                RouterFlopsPerToken = routerFlops,
                HeadFlopsPerToken = headFlops,
                AttentionFlopsPerContextFull = scoreFull,
                AttentionFlopsPerContextSliding = slidingScore.Select(x => (x.Key, x.Value)).ToArray(),
                Collectives = [.. collectives],
                CollectiveCount = collectives.Sum(x => x.Count),
                IsLast = isLast,
            };
            start += count;
        }

        return stages;
    }

    /// <summary>A collective over <paramref name="ranks"/> (placed in as few domains as it can be), skipped for one rank or no layers.</summary>
    private void Add(List<Collective> list, CollectiveKind kind, int ranks, int layers, double bytesPerGroupToken, double bytesPerToken)
    {
        if (ranks > 1 && layers > 0)
        {
            list.Add(new Collective(kind, ranks, Math.Min(ranks, _domain), layers, bytesPerGroupToken, bytesPerToken));
        }
    }

    /// <summary>
    /// An FFN split over <paramref name="ranks"/>: inside the attention group, or over all TP ranks without attention-DP,
    /// one all-reduce of the group's tokens; over all TP ranks under attention-DP, an all-gather of every group's tokens
    /// before and a reduce-scatter after.
    /// </summary>
    private void AddFfn(List<Collective> list, int layers, int ranks, bool inAttentionGroup, double bytesPerToken)
    {
        if (inAttentionGroup)
        {
            Add(list, CollectiveKind.AllReduce, ranks, layers, bytesPerToken, 0);
        }
        else if (_p.AttentionDp > 1)
        {
            Add(list, CollectiveKind.AllGather, ranks, layers, 0, bytesPerToken);
            Add(list, CollectiveKind.ReduceScatter, ranks, layers, 0, bytesPerToken);
        }
        else
        {
            Add(list, CollectiveKind.AllReduce, ranks, layers, bytesPerToken, 0);
        }
    }

    /// <summary>
    /// Expected other ranks in the own domain, and other domains, that one token's k routed experts reach, when the
    /// experts are spread evenly over <paramref name="ep"/> ranks on <paramref name="gpus"/> GPUs and chosen uniformly
    /// without replacement: a rank holding E/ep experts is missed with probability C(E - E/ep, k) / C(E, k).
    /// </summary>
    private (double Intra, double Inter, int RanksPerDomain) AllToAllFanout(int experts, int k, int ep, int gpus)
    {
        var domains = gpus > _domain ? (double)gpus / _domain : 1.0;
        var perDomain = domains > 1 ? Math.Max(1, (int)Math.Round(ep / domains)) : ep;
        var hitRank = 1 - MissProbability(experts, k, experts / (double)ep);
        var hitDomain = 1 - MissProbability(experts, k, experts / Math.Min(domains, ep));
        return ((perDomain - 1) * hitRank, (Math.Min(domains, ep) - 1) * hitDomain, perDomain);
    }

    private static double MissProbability(int experts, int k, double held)
    {
        var p = 1.0;
        for (var i = 0; i < k; i++)
        {
            p *= Math.Max(0, experts - held - i) / (experts - i);
        }

        return p;
    }
}
