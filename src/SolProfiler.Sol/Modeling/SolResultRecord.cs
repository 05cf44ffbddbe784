namespace SolProfiler.Sol.Modeling;

/// <summary>
/// The JSON shape of one SOL point (the <c>sol</c> command's JSON, the agent's snapshot): the result plus the formats
/// that produced it, so a reader knows what was assumed.
/// </summary>
public sealed record SolResultRecord(
    string Model,
    string Gpu,
    int Tp,
    int Pp,
    int Ep,
    int AttentionDp,
    int Batch,
    double Context,
    double PrefillTokens,
    double TokensPerStep,
    string Weights,
    string ExpertWeights,
    string Kv,
    string Activations,
    string MathPrecision,
    string Dispatch,
    OperationPeaks Peaks,
    SolSchedule Schedule,
    double SerialStepSeconds,
    double? OverlapStepSeconds,
    int DenseTp,
    double WeightBytesPerGpu,
    double KvBytesPerGpu,
    double ReplicatedKvBytesPerGpu,
    double KvBytesPerToken,
    double FlopsPerGpu,
    double CommBytesPerGpu,
    int CollectivesPerStep,
    SolSeconds Seconds,
    SolBound Bound,
    SolShares Shares,
    double SecondsPerOutputToken,
    double TokensPerSecondPerUser,
    double TokensPerSecondPerGpu,
    double JoulesPerToken,
    double? ExpectedExpertsPerLayer,
    double ResidentWeightBytesPerGpu,
    double ResidentKvBytesPerGpu,
    double MemoryBytesPerGpu,
    bool Fits,
    long? MaxBatchThatFits,
    IReadOnlyList<string> Warnings)
{
    public static SolResultRecord From(PreparedSol p, SolResult r) => new(
        r.Model, r.Gpu, r.Tp, r.Pp, r.Ep, r.AttentionDp, r.Batch, r.Context, r.PrefillTokens, r.TokensPerStep,
        PrecisionFacts.Name(p.Precisions.Weights), PrecisionFacts.Name(p.Precisions.ExpertWeights), PrecisionFacts.Name(p.Precisions.Kv),
        PrecisionFacts.Name(p.Precisions.Activations), PrecisionFacts.Name(p.Precisions.Math), PrecisionFacts.Name(p.Precisions.Dispatch),
        p.Peaks, r.Schedule, r.SerialStepSeconds, r.OverlapStepSeconds, r.DenseTp,
        r.WeightBytesPerGpu, r.KvBytesPerGpu, r.ReplicatedKvBytesPerGpu, r.KvBytesPerToken, r.FlopsPerGpu, r.CommBytesPerGpu, r.CollectivesPerStep,
        r.Seconds, r.Bound, r.Shares, r.SecondsPerOutputToken, r.TokensPerSecondPerUser, r.TokensPerSecondPerGpu, r.JoulesPerToken,
        r.ExpectedExpertsPerLayer, r.ResidentWeightBytesPerGpu, r.ResidentKvBytesPerGpu, r.MemoryBytesPerGpu, r.Fits, r.MaxBatchThatFits, r.Warnings);
}
