namespace SolProfiler.Sol.Modeling;

/// <summary>The term that sets the SOL step.</summary>
public enum SolBound
{
    Weights,
    Kv,
    Compute,
    Comm,
    Energy,
}

/// <summary>
/// Seconds per step (one forward pass of the whole batch), by component. In a mixed step (prompt tokens beside the
/// decode positions) weights, KV, compute and communication are the whole step's, prompt work included.
/// </summary>
/// <param name="Prefill">
/// What the step's prompt tokens add to it: SOL step with them minus the SOL step of the same batch without them
/// (DESIGN.md section 3, the <c>prefill</c> component); 0 in a decode-only step, never negative.
/// </param>
public readonly record struct SolSeconds(double Weights, double Kv, double Compute, double Comm, double Energy, double Step, double Prefill = 0);

/// <summary>
/// The "donut" of where a step's work goes, as if nothing overlapped: shares of the sum S of the four component
/// times of the step (weights + KV + compute + communication). Weights, KV, compute and communication are the
/// decode-only step's component times over S; <see cref="Prefill"/> is what the step's prompt tokens add to that sum
/// (S minus the decode-only sum) over S. Sums to 1; a decode-only step has Prefill 0 and the four shares of its own sum.
/// </summary>
public readonly record struct SolShares(double Weights, double Kv, double Compute, double Comm, double Prefill = 0);

/// <summary>The SOL of one configuration at one operating point. Per-GPU figures are for the GPU that sets the step.</summary>
public sealed record SolResult
{
    public required string Model { get; init; }

    public required string Gpu { get; init; }

    public required int Tp { get; init; }

    public required int Pp { get; init; }

    public required int Ep { get; init; }

    public required int AttentionDp { get; init; }

    public required int Batch { get; init; }

    public required double Context { get; init; }

    /// <summary>Prompt tokens computed in the step beside the decode positions (chunked prefill); 0 for a decode-only step.</summary>
    public required double PrefillTokens { get; init; }

    /// <summary>Tokens each sequence emits per step: 1, or the mean accepted length (accepted drafts + 1) under speculative decoding.</summary>
    public required double TokensPerStep { get; init; }

    /// <summary>The schedule that set the step (the least over those the engine can run).</summary>
    public required SolSchedule Schedule { get; init; }

    /// <summary>The least step with one micro-batch (serial), whatever schedule set <see cref="SolSeconds.Step"/>.</summary>
    public required double SerialStepSeconds { get; init; }

    /// <summary>The least step with two overlapped micro-batches; null where the batch cannot be split in two.</summary>
    public required double? OverlapStepSeconds { get; init; }

    /// <summary>Ranks the dense FFN layers are split over: TP, or the attention group's ranks where that is cheaper under attention-DP.</summary>
    public required int DenseTp { get; init; }

    /// <summary>Weight bytes one GPU reads from HBM per decode step.</summary>
    public required double WeightBytesPerGpu { get; init; }

    /// <summary>KV-cache bytes one GPU reads and writes per decode step.</summary>
    public required double KvBytesPerGpu { get; init; }

    /// <summary>
    /// KV bytes one GPU would read and write per step were the KV heads copied to every attention-TP rank (as most
    /// engines do where attention-TP exceeds the KV heads, and for MLA): <see cref="KvBytesPerGpu"/> times the
    /// replication factor; the difference is an engine's <c>extra_bytes</c>.
    /// </summary>
    public required double ReplicatedKvBytesPerGpu { get; init; }

    /// <summary>KV bytes of one token of one sequence, all layers, whole model, at the KV precision (sliding layers included).</summary>
    public required double KvBytesPerToken { get; init; }

    public required double FlopsPerGpu { get; init; }

    /// <summary>Bytes one GPU sends over the scale-up link per decode step.</summary>
    public required double CommBytesPerGpu { get; init; }

    public required int CollectivesPerStep { get; init; }

    public required SolSeconds Seconds { get; init; }

    public required SolBound Bound { get; init; }

    public required SolShares Shares { get; init; }

    /// <summary>SOL time per output token: the step divided by <see cref="TokensPerStep"/>.</summary>
    public required double SecondsPerOutputToken { get; init; }

    public required double TokensPerSecondPerUser { get; init; }

    public required double TokensPerSecondPerGpu { get; init; }

    /// <summary>Energy per output token over all GPUs of the replica, idle power included.</summary>
    public required double JoulesPerToken { get; init; }

    /// <summary>Expected distinct routed experts touched per MoE layer in one step (null for dense models).</summary>
    public required double? ExpectedExpertsPerLayer { get; init; }

    public required double ResidentWeightBytesPerGpu { get; init; }

    public required double ResidentKvBytesPerGpu { get; init; }

    public required double MemoryBytesPerGpu { get; init; }

    public required bool Fits { get; init; }

    /// <summary>The largest batch whose weights plus KV at this context fit in HBM; null when KV needs no memory (context 0).</summary>
    public required long? MaxBatchThatFits { get; init; }

    public required IReadOnlyList<string> Warnings { get; init; }
}
