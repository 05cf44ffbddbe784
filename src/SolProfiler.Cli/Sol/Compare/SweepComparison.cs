using SolProfiler.Analysis;
using SolProfiler.Cli.Common;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Cli.Sol.Compare;

/// <summary>
/// One measured level against the SOL: the SOL step at its operating point (efficiency = SOL step / measured step)
/// and the SOL frontier's tokens/s/GPU at its measured tokens/s/user (Pareto gap = measured / SOL there).
/// </summary>
public sealed record ComparedLevel(
    MeasuredLevel Measured,
    double? SolSecondsPerOutputToken,
    double? Efficiency,
    double? SolTokensPerSecondPerGpuAtMeasuredInteractivity,
    double? ParetoGapRatio);

/// <summary>A sweep laid over the SOL frontier of a configuration (the sweep's own, or one the user changed).</summary>
public sealed record SweepComparison(SweepInput Sweep, SolRunner.Evaluation Frontier, IReadOnlyList<ComparedLevel> Levels, IReadOnlyList<string> Differences)
{
    public static SweepComparison Build(SweepInput sweep, SolRunner.Evaluation frontier)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        ArgumentNullException.ThrowIfNull(frontier);
        var sol = frontier.Prepared;
        var levels = sweep.Levels.Select(level =>
        {
            if (level.Completed == 0 || level.Batch is not { } batch || level.ContextTokens is not { } context)
            {
                return new ComparedLevel(level, null, null, null, null);
            }

            var against = MeasuredAgainstSol.Of(sol, batch, context, frontier.Load, level.MeasuredStepSeconds, level.TokensPerSecondPerUser, level.TokensPerSecondPerGpu);
            return new ComparedLevel(level, against.AtPoint.SecondsPerOutputToken, against.Efficiency, against.SolTokensPerSecondPerGpuAtMeasuredInteractivity, against.ParetoGapRatio);
        }).ToArray();
        return new SweepComparison(sweep, frontier, levels, WhatIf(sweep, sol, frontier.Load));
    }

    /// <summary>What the SOL was computed for that the sweep did not run with (a what-if), one line each.</summary>
    private static string[] WhatIf(SweepInput sweep, PreparedSol sol, StepLoad load)
    {
        var c = sol.Configuration;
        var p = c.Parallelism;
        var lines = new List<string>();
        void Check(string what, string measured, string modelled)
        {
            if (!string.Equals(measured, modelled, StringComparison.OrdinalIgnoreCase))
            {
                lines.Add($"{what}: the sweep ran with {measured}, the SOL is for {modelled}");
            }
        }

        Check("model", sweep.Model, c.Model.Id);
        Check("GPU", sweep.Gpu, c.Gpu.Id);
        Check("parallelism", $"TP {sweep.Tp}, PP {sweep.Pp}, EP {sweep.Ep}, attention-DP {sweep.AttentionDp}", $"TP {p.Tp}, PP {p.Pp}, EP {p.Ep}, attention-DP {p.AttentionDp}");
        if (sweep.Weights is { } w)
        {
            Check("weights", w, PrecisionName(sol.Precisions.Weights));
        }

        if (sweep.Kv is { } kv)
        {
            Check("KV cache", kv, PrecisionName(sol.Precisions.Kv));
        }

        if (load.PrefillTokens > 0)
        {
            // a sweep records no prompt tokens per step, so any given here are an assumption about its steps
            lines.Add($"prompt tokens per step: the sweep recorded none, the SOL is for mixed steps of {load.PrefillTokens.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)}");
        }

        return [.. lines];
    }

    private static string PrecisionName(Precision p) => PrecisionFacts.Name(p);
}
