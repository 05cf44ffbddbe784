using SolProfiler.Sol.Modeling;

namespace SolProfiler.Cli.Sol;

public enum OutputFormat
{
    Table,
    Json,
    Csv,
}

/// <summary>What the user asked <c>solprof sol</c> for, after parsing and before any model is built.</summary>
/// <param name="PrefillTokens">Prompt tokens computed in every step beside the decode positions (mixed steps, <c>--prefill-tokens</c>).</param>
public sealed record SolRequest(
    string Model,
    string Gpu,
    string? GpuFile,
    IReadOnlyList<int> TpValues,
    int Pp,
    int Ep,
    int AttentionDp,
    IReadOnlyList<int> Batches,
    double Context,
    PrecisionChoice Precisions,
    SpeculativeDecoding? Speculative,
    OutputFormat Format,
    string? ParetoPath,
    double PrefillTokens = 0);
