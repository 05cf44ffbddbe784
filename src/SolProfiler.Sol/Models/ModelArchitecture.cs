using SolProfiler.Sol.Modeling;

namespace SolProfiler.Sol.Models;

public enum AttentionKind
{
    /// <summary>Multi-head, grouped-query or multi-query attention: K and V per KV head are cached.</summary>
    Gqa,

    /// <summary>Multi-head latent attention (DeepSeek-V2/V3): one compressed latent plus a RoPE key per token is cached.</summary>
    Mla,
}

/// <summary>Dimensions of multi-head latent attention (HF fields of the same names).</summary>
public sealed record MlaDimensions(int QLoraRank, int KvLoraRank, int QkNopeHeadDim, int QkRopeHeadDim, int VHeadDim);

/// <summary>Mixture-of-experts feed-forward blocks.</summary>
public sealed record MoeSpec(
    int RoutedExperts,
    int ExpertsPerToken,
    int ExpertIntermediateSize,
    int SharedExperts,
    int SharedIntermediateSize,
    bool ExpertBiases,
    bool RouterBias);

/// <summary>What one decoder layer contains: its attention window (null = full) and whether its FFN is MoE.</summary>
public readonly record struct LayerSpec(int? SlidingWindow, bool IsMoe);

/// <summary>
/// A decoder-only transformer as the SOL model needs it, read from a Hugging Face <c>config.json</c>
/// (directly or through the model catalog).
/// </summary>
public sealed record ModelArchitecture
{
    public required string Id { get; init; }

    public required string ModelType { get; init; }

    public required int HiddenSize { get; init; }

    public required int VocabSize { get; init; }

    public required bool TieWordEmbeddings { get; init; }

    public required int NumHeads { get; init; }

    public required int NumKvHeads { get; init; }

    public required int HeadDim { get; init; }

    public required AttentionKind Attention { get; init; }

    public MlaDimensions? Mla { get; init; }

    public required bool QkvBias { get; init; }

    public required bool OutputBias { get; init; }

    public required bool QkNorm { get; init; }

    public required bool AttentionSinks { get; init; }

    /// <summary>FFN width of dense layers (0 when every layer is MoE).</summary>
    public required int DenseIntermediateSize { get; init; }

    public required bool MlpBias { get; init; }

    public MoeSpec? Moe { get; init; }

    public required IReadOnlyList<LayerSpec> Layers { get; init; }

    /// <summary>Multi-token-prediction layers shipped beside the model (not part of a plain decode step).</summary>
    public int MtpLayers { get; init; }

    /// <summary>The 16-bit type of the residual stream (torch_dtype): carried by collectives and unquantised tensors.</summary>
    public required Precision ActivationDtype { get; init; }

    /// <summary>Weight format of the linear layers as shipped (from quantization_config, else torch_dtype).</summary>
    public required Precision DefaultWeights { get; init; }

    /// <summary>Weight format of the routed experts when it differs from the other linear layers (gpt-oss MXFP4 experts).</summary>
    public Precision? DefaultExpertWeights { get; init; }

    /// <summary>Things the reader had to assume about the config.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public int NumLayers => Layers.Count;

    public bool IsMoe => Moe is not null;
}
