using SolProfiler.Sol.Modeling;

namespace SolProfiler.Agent.Analysis;

/// <summary>
/// How far a measured (tokens/s/user, tokens/s/GPU) point lies below the SOL frontier: the SOL's throughput at the
/// measured interactivity. The SOL's tokens/s/user falls as the batch grows, so the batch that gives the measured
/// interactivity is found by bisection and interpolated between its integer neighbours. Every batch tried carries the
/// measured step's load (prompt tokens per step, speculation), so the frontier is that of steps like the measured ones.
/// </summary>
public static class ParetoDistance
{
    private const int MaxBatch = 1 << 16;

    public static double? SolTokensPerSecondPerGpuAt(PreparedSol sol, double tokensPerSecondPerUser, double context, StepLoad load)
    {
        ArgumentNullException.ThrowIfNull(sol);
        if (!double.IsFinite(tokensPerSecondPerUser) || tokensPerSecondPerUser <= 0)
        {
            return null;
        }

        var first = sol.Evaluate(1, context, load);
        if (first.TokensPerSecondPerUser <= tokensPerSecondPerUser)
        {
            // Faster per user than the SOL at batch 1: only possible with a wrong configuration; compare with B = 1.
            return first.TokensPerSecondPerGpu;
        }

        var limit = (int)Math.Clamp(first.MaxBatchThatFits ?? MaxBatch, 1, MaxBatch);
        var last = sol.Evaluate(limit, context, load);
        if (last.TokensPerSecondPerUser >= tokensPerSecondPerUser)
        {
            return last.TokensPerSecondPerGpu;
        }

        int lo = 1, hi = limit; // tokens/s/user(lo) > target >= tokens/s/user(hi)
        while (hi - lo > 1)
        {
            var mid = lo + ((hi - lo) / 2);
            if (sol.Evaluate(mid, context, load).TokensPerSecondPerUser > tokensPerSecondPerUser)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        var a = sol.Evaluate(lo, context, load);
        var b = sol.Evaluate(hi, context, load);
        var f = (a.TokensPerSecondPerUser - tokensPerSecondPerUser) / (a.TokensPerSecondPerUser - b.TokensPerSecondPerUser);
        return a.TokensPerSecondPerGpu + ((b.TokensPerSecondPerGpu - a.TokensPerSecondPerGpu) * f);
    }
}
