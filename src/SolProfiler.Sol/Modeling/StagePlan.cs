namespace SolProfiler.Sol.Modeling;

/// <summary>
/// What one GPU of one pipeline stage does per micro-batch, reduced to coefficients that do not depend on the operating point,
/// so that evaluating a point is a handful of multiply-adds. "Group" quantities scale with the tokens of one attention
/// data-parallel group; "all" quantities with every token of the micro-batch.
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

    /// <summary>Linear-layer FLOPs per group token (attention projections on this GPU's heads).</summary>
    public double GroupLinearFlopsPerToken { get; init; }

    /// <summary>Linear-layer FLOPs per micro-batch token (FFN, experts, router, LM head slices).</summary>
    public double AllLinearFlopsPerToken { get; init; }

    /// <summary>The LM head's share of <see cref="AllLinearFlopsPerToken"/> (last stage only): computed for decode and verify positions, not for prompt tokens.</summary>
    public double LmHeadFlopsPerToken { get; init; }

    /// <summary>Attention score FLOPs per query token per context token, full layers.</summary>
    public double AttentionFlopsPerContextFull { get; init; }

    public (int Window, double Flops)[] AttentionFlopsPerContextSliding { get; init; } = [];

    /// <summary>Link bytes per group token (attention all-reduces) and per micro-batch token (FFN / expert collectives, PP send).</summary>
    public double CommBytesPerGroupToken { get; init; }

    public double CommBytesPerToken { get; init; }

    public int Collectives { get; init; }

    public bool IsLast { get; init; }
}
