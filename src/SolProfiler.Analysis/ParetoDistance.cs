using SolProfiler.Sol.Modeling;

namespace SolProfiler.Analysis;

/// <summary>
/// How far a measured (tokens/s/user, tokens/s/GPU) point lies below the SOL frontier: the SOL's throughput at the
/// measured interactivity. The SOL's tokens/s/user falls as the batch grows (on each side of the batch where the
/// overlapped schedule becomes possible), so the batch that gives the measured interactivity is found by bisection
/// and interpolated between its integer neighbours. Every batch tried carries the
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

        var limit = (int)Math.Clamp(sol.Evaluate(1, context, load).MaxBatchThatFits ?? MaxBatch, 1, MaxBatch);

        // The SOL step grows with the batch except where two micro-batches per pipeline stage first fit (B = 2 PP):
        // there the overlapped schedule becomes possible and the step may drop. Each side of that batch is monotone,
        // so search the side that reaches the measured interactivity, the larger batches first.
        var split = Math.Clamp(2 * sol.Configuration.Parallelism.Pp, 1, limit);
        var (lo, hi) = split > 1 && sol.Evaluate(split, context, load).TokensPerSecondPerUser < tokensPerSecondPerUser
            ? (1, split - 1)
            : (split, limit);
        var first = sol.Evaluate(lo, context, load);
        if (first.TokensPerSecondPerUser <= tokensPerSecondPerUser)
        {
            // Faster per user than the SOL at batch 1: only possible with a wrong configuration; compare with B = 1.
            // (At the split the SOL reaches the target by the choice of side, so this returns that point.)
            return first.TokensPerSecondPerGpu;
        }

        var last = sol.Evaluate(hi, context, load);
        if (last.TokensPerSecondPerUser >= tokensPerSecondPerUser)
        {
            return last.TokensPerSecondPerGpu;
        }

        // tokens/s/user(lo) > target >= tokens/s/user(hi)
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
