namespace SolProfiler.Sol.Models;

/// <summary>
/// Parameter counts of one model by group. "Linear" groups are the GEMM weights a quantised checkpoint stores
/// in its weight format; "small" groups (norms, biases, sinks, routers) stay in the 16-bit dtype.
/// </summary>
public sealed class ParameterCounts
{
    public ParameterCounts(ModelArchitecture m)
    {
        ArgumentNullException.ThrowIfNull(m);
        long h = m.HiddenSize;
        long nh = m.NumHeads;
        long nkv = m.NumKvHeads;
        long dh = m.HeadDim;

        if (m.Mla is { } mla)
        {
            long qk = mla.QkNopeHeadDim + mla.QkRopeHeadDim;
            var q = mla.QLoraRank > 0 ? (h * mla.QLoraRank) + (mla.QLoraRank * nh * qk) : h * nh * qk;
            AttentionLinear = q
                + (h * (mla.KvLoraRank + mla.QkRopeHeadDim))            // kv_a_proj_with_mqa
                + (mla.KvLoraRank * nh * (mla.QkNopeHeadDim + mla.VHeadDim)) // kv_b_proj
                + (nh * mla.VHeadDim * h);                                // o_proj
            AttentionSmall = (mla.QLoraRank > 0 ? mla.QLoraRank : 0) + mla.KvLoraRank; // q_a / kv_a layernorms
        }
        else
        {
            AttentionLinear = (h * nh * dh) + (2 * h * nkv * dh) + (nh * dh * h);
            AttentionSmall = (m.QkvBias ? (nh * dh) + (2 * nkv * dh) : 0)
                + (m.OutputBias ? h : 0)
                + (m.QkNorm ? 2 * dh : 0)
                + (m.AttentionSinks ? nh : 0);
        }

        LayerNorms = 2 * h;
        long f = m.DenseIntermediateSize;
        DenseFfnLinear = 3 * h * f;
        DenseFfnSmall = m.MlpBias ? (2 * f) + h : 0;
        if (m.Moe is { } moe)
        {
            long fe = moe.ExpertIntermediateSize;
            ExpertLinear = 3 * h * fe;
            ExpertSmall = moe.ExpertBiases ? (2 * fe) + h : 0;
            SharedLinear = moe.SharedExperts * 3 * h * moe.SharedIntermediateSize;
            Router = (h * moe.RoutedExperts) + (moe.RouterBias ? moe.RoutedExperts : 0);
        }

        Embedding = m.VocabSize * h;
        LmHead = m.VocabSize * h;
        FinalNorm = h;

        long total = 0;
        long active = 0;
        var k = m.Moe?.ExpertsPerToken ?? 0;
        var e = m.Moe?.RoutedExperts ?? 0;
        foreach (var layer in m.Layers)
        {
            var common = AttentionLinear + AttentionSmall + LayerNorms;
            if (layer.IsMoe)
            {
                total += common + Router + SharedLinear + (e * (ExpertLinear + ExpertSmall));
                active += common + Router + SharedLinear + (k * (ExpertLinear + ExpertSmall));
            }
            else
            {
                total += common + DenseFfnLinear + DenseFfnSmall;
                active += common + DenseFfnLinear + DenseFfnSmall;
            }
        }

        Total = total + Embedding + (m.TieWordEmbeddings ? 0 : LmHead) + FinalNorm;
        ActiveExcludingEmbedding = active + LmHead + FinalNorm;
    }

    public long AttentionLinear { get; }

    public long AttentionSmall { get; }

    public long LayerNorms { get; }

    public long DenseFfnLinear { get; }

    public long DenseFfnSmall { get; }

    /// <summary>Gate, up and down projections of one routed expert.</summary>
    public long ExpertLinear { get; }

    public long ExpertSmall { get; }

    /// <summary>All shared experts of one MoE layer together.</summary>
    public long SharedLinear { get; }

    public long Router { get; }

    public long Embedding { get; }

    public long LmHead { get; }

    public long FinalNorm { get; }

    /// <summary>Every stored parameter (tied embeddings once; MTP layers not included).</summary>
    public long Total { get; }

    /// <summary>Parameters one token passes through: k experts per MoE layer, the LM head, no input embedding.</summary>
    public long ActiveExcludingEmbedding { get; }
}
