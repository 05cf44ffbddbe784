namespace SolProfiler.Sol.Modeling;

/// <summary>
/// What one GPU of one pipeline stage does per micro-batch, reduced to coefficients that do not depend on the operating point,
/// so that evaluating a point is a handful of multiply-adds. "Group" quantities scale with the tokens of one attention
/// data-parallel group; the others with every token of the micro-batch. FLOPs are kept apart by the precision they run at
/// (DESIGN.md section 3, "precision per operation").
/// </summary>
internal sealed class StagePlan
{
    /// <summary>Weight bytes read per micro-batch that do not depend on routing (attention, dense FFN, shared experts, router, norms, LM head).</summary>
    public double FixedWeightBytes { get; init; }

    /// <summary>Bytes of one routed expert held by this GPU (its TP / EP slice).</summary>
    public double ExpertBytesPerExpert { get; init; }

    public int MoeLayers { get; init; }

    /// <summary>Weight bytes resident on this GPU (every local expert, the embedding slice on the first stage).</summary>
    public double ResidentWeightBytes { get; init; }

    /// <summary>KV bytes per cached token of one sequence on this GPU for full-attention layers.</summary>
    public double KvPerTokenFull { get; init; }

    /// <summary>KV bytes per cached token for sliding-window layers, by window.</summary>
    public (int Window, double Bytes)[] KvPerTokenSliding { get; init; } = [];

    /// <summary>GEMM FLOPs per group token at the weights' format: attention projections on this GPU's heads, and dense FFNs where they run inside the attention group.</summary>
    public double LinearFlopsPerGroupToken { get; init; }

    /// <summary>GEMM FLOPs per micro-batch token at the weights' format: dense FFN and shared-expert slices.</summary>
    public double LinearFlopsPerToken { get; init; }

    /// <summary>Routed-expert FLOPs per micro-batch token (k experts, this GPU's share) at the experts' format.</summary>
    public double ExpertFlopsPerToken { get; init; }

    /// <summary>Router FLOPs per micro-batch token, at 16 bits.</summary>
    public double RouterFlopsPerToken { get; init; }

    /// <summary>LM-head FLOPs per decode or verify position (last stage only), at 16 bits; prompt tokens do not run it.</summary>
    public double HeadFlopsPerToken { get; init; }

    /// <summary>Attention score FLOPs per query token per context token, full layers, at the attention format.</summary>
    public double AttentionFlopsPerContextFull { get; init; }

    public (int Window, double Flops)[] AttentionFlopsPerContextSliding { get; init; } = [];

    /// <summary>The collectives of one micro-batch on this stage.</summary>
    public Collective[] Collectives { get; init; } = [];

    /// <summary>Collectives per micro-batch (the sum of the <see cref="Collectives"/> counts).</summary>
    public int CollectiveCount { get; init; }

    public bool IsLast { get; init; }
}
