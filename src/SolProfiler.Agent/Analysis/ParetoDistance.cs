using SolProfiler.Sol.Modeling;

namespace SolProfiler.Agent.Analysis;

/// <summary>
/// How far a measured (tokens/s/user, tokens/s/GPU) point lies below the SOL frontier: the SOL's throughput at the
/// measured interactivity. The SOL's tokens/s/user falls as the batch grows, so the batch that gives the measured
/// interactivity is found by bisection and interpolated between its integer neighbours.
/// </summary>
public static class ParetoDistance
{
    private const int MaxBatch = 1 << 16;

    public static double? SolTokensPerSecondPerGpuAt(PreparedSol sol, double tokensPerSecondPerUser, double context)
    {
        ArgumentNullException.ThrowIfNull(sol);
        if (!double.IsFinite(tokensPerSecondPerUser) || tokensPerSecondPerUser <= 0)
        {
            return null;
        }

        var first = sol.Evaluate(1, context);
        if (first.TokensPerSecondPerUser <= tokensPerSecondPerUser)
        {
            // Faster per user than the SOL at batch 1: only possible with a wrong configuration; compare with B = 1.
            return first.TokensPerSecondPerGpu;
        }

        var limit = (int)Math.Clamp(first.MaxBatchThatFits ?? MaxBatch, 1, MaxBatch);
        var last = sol.Evaluate(limit, context);
        if (last.TokensPerSecondPerUser >= tokensPerSecondPerUser)
        {
            return last.TokensPerSecondPerGpu;
        }

        int lo = 1, hi = limit; // tokens/s/user(lo) > target >= tokens/s/user(hi)
        while (hi - lo > 1)
        {
            var mid = lo + ((hi - lo) / 2);
            if (sol.Evaluate(mid, context).TokensPerSecondPerUser > tokensPerSecondPerUser)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        var a = sol.Evaluate(lo, context);
        var b = sol.Evaluate(hi, context);
        var f = (a.TokensPerSecondPerUser - tokensPerSecondPerUser) / (a.TokensPerSecondPerUser - b.TokensPerSecondPerUser);
        return a.TokensPerSecondPerGpu + ((b.TokensPerSecondPerGpu - a.TokensPerSecondPerGpu) * f);
    }
}
