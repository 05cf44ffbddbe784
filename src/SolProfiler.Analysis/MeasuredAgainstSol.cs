using SolProfiler.Sol.Modeling;

namespace SolProfiler.Analysis;

/// <summary>
/// One measured point against the SOL, as `sweep` writes it and `sol --compare` reads it back: the SOL at the
/// operating point (efficiency = SOL step / measured step) and the frontier's tokens/s/GPU at the measured
/// tokens/s/user (Pareto gap = measured / that), both for steps that carry the measured <see cref="StepLoad"/> (prompt
/// tokens per step, speculation). One place, so the two commands cannot drift apart.
/// </summary>
public sealed record MeasuredAgainstSol(SolResult AtPoint, double? Efficiency, double? SolTokensPerSecondPerGpuAtMeasuredInteractivity, double? ParetoGapRatio)
{
    public static MeasuredAgainstSol Of(PreparedSol sol, double batch, double context, StepLoad load, double? measuredStepSeconds, double? tokensPerSecondPerUser, double? tokensPerSecondPerGpu)
    {
        ArgumentNullException.ThrowIfNull(sol);
        var atPoint = FractionalBatch.Evaluate(sol, batch, context, load);
        var atInteractivity = tokensPerSecondPerUser is { } user ? ParetoDistance.SolTokensPerSecondPerGpuAt(sol, user, context, load) : null;
        return new MeasuredAgainstSol(
            atPoint,
            measuredStepSeconds is > 0 and var step ? atPoint.SecondsPerOutputToken / step : null,
            atInteractivity,
            tokensPerSecondPerGpu is { } perGpu && atInteractivity is > 0 ? perGpu / atInteractivity : null);
    }
}
