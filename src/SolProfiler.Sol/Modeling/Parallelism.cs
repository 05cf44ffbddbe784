namespace SolProfiler.Sol.Modeling;

/// <summary>
/// How one model replica is spread over GPUs. A replica has TP x PP GPUs. Within a pipeline stage, attention runs on
/// TP / AttentionDp ranks per data-parallel group (AttentionDp groups), dense FFNs are split TP ways, and routed experts
/// are spread over EP ranks, each expert split TP / EP ways (the TensorRT-LLM moe_tp x moe_ep = tp layout;
/// vLLM's "DP=8 with expert parallel" is TP=8, AttentionDp=8, EP=8 here).
/// </summary>
public sealed record Parallelism(int Tp = 1, int Pp = 1, int Ep = 1, int AttentionDp = 1)
{
    public int GpusPerReplica => Tp * Pp;

    /// <summary>Ranks that split one attention group's heads.</summary>
    public int AttentionTp => Tp / AttentionDp;
}

/// <summary>Speculative decoding: each verify step scores DraftTokens + 1 positions and emits MeanAcceptedLength tokens on average.</summary>
public sealed record SpeculativeDecoding(int DraftTokens, double MeanAcceptedLength);

/// <summary>
/// Weight, KV, GEMM-input and expert-dispatch formats; null means "as the checkpoint ships" (config.json), and for
/// dispatch "as the activations": FP8 where the GEMMs take 8-bit or narrower inputs (DeepEP dispatches FP8), else the 16-bit dtype.
/// </summary>
public sealed record PrecisionChoice(Precision? Weights = null, Precision? ExpertWeights = null, Precision? Kv = null, Precision? Activations = null, Precision? Dispatch = null);

/// <summary>Everything the SOL model needs besides the operating point (batch, context).</summary>
public sealed record SolConfiguration(
    Models.ModelArchitecture Model,
    Hardware.GpuSpec Gpu,
    Parallelism Parallelism,
    PrecisionChoice Precisions,
    SpeculativeDecoding? Speculative = null);
