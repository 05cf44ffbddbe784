namespace SolProfiler.Sol.Modeling;

/// <summary>One point of a decode Pareto curve: interactivity (tokens/s/user) against throughput (tokens/s/GPU).</summary>
public readonly record struct ParetoPoint(int Batch, int Tp, double TokensPerSecondPerUser, double TokensPerSecondPerGpu, bool Fits);

/// <summary>The SOL frontier: sweeps batch (and, by the caller, TP) and keeps the points no other point beats on both axes.</summary>
public static class ParetoFrontier
{
    /// <summary>Powers of two from <paramref name="from"/> up to <paramref name="to"/>, both included when they are powers of two.</summary>
    public static IReadOnlyList<int> PowersOfTwo(int from, int to)
    {
        if (from < 1 || to < from)
        {
            throw new SolInputException($"batch range {from}..{to} must satisfy 1 <= A <= B");
        }

        var list = new List<int>();
        for (long b = 1; b <= to; b *= 2)
        {
            if (b >= from)
            {
                list.Add((int)b);
            }
        }

        if (list.Count == 0 || list[^1] != to)
        {
            list.Add(to);
        }

        if (list[0] != from)
        {
            list.Insert(0, from);
        }

        return list;
    }

    public static IReadOnlyList<ParetoPoint> Sweep(PreparedSol sol, IEnumerable<int> batches, double context)
    {
        ArgumentNullException.ThrowIfNull(sol);
        ArgumentNullException.ThrowIfNull(batches);
        return batches.Select(b =>
        {
            var r = sol.Evaluate(b, context);
            return new ParetoPoint(b, r.Tp, r.TokensPerSecondPerUser, r.TokensPerSecondPerGpu, r.Fits);
        }).ToArray();
    }

    /// <summary>The points not dominated by another (higher or equal on both axes, higher on one), sorted by tokens/s/user.</summary>
    public static IReadOnlyList<ParetoPoint> NonDominated(IEnumerable<ParetoPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var sorted = points.OrderByDescending(p => p.TokensPerSecondPerUser).ThenByDescending(p => p.TokensPerSecondPerGpu).ToArray();
        var frontier = new List<ParetoPoint>();
        var bestGpu = double.NegativeInfinity;
        foreach (var p in sorted)
        {
            if (p.TokensPerSecondPerGpu > bestGpu)
            {
                frontier.Add(p);
                bestGpu = p.TokensPerSecondPerGpu;
            }
        }

        frontier.Reverse();
        return frontier;
    }
}
