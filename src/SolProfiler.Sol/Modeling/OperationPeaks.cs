namespace SolProfiler.Sol.Modeling;

/// <summary>The tensor format one kind of operation runs at, its dense peak and its energy per FLOP on the configured GPU.</summary>
public sealed record OperationPeak(MathPrecision Math, double FlopsPerSecond, double JoulesPerFlop);

/// <summary>
/// Precision per operation (DESIGN.md section 3): GEMMs at the wider of the weight and activation formats, routed
/// experts at the expert format, attention (QK and PV) at the wider of the KV and activation formats, and the LM head
/// and router at 16 bits (at 32 where the weights are fp32).
/// </summary>
public sealed record OperationPeaks(OperationPeak Linear, OperationPeak Experts, OperationPeak Attention, OperationPeak Head);
