using SolProfiler.Sol.Modeling;

namespace SolProfiler.Cli.Common;

/// <summary>
/// The batches at which a sweep's SOL frontier is drawn: powers of two from 1 to twice the highest concurrency, and
/// further while the frontier is still faster per user than the slowest measured level, so every measured point has
/// the frontier above it at the same tokens/s/user (the Pareto gap is read vertically).
/// </summary>
public static class FrontierBatches
{
    private const int Limit = 1 << 16;

    /// <param name="load">What every step of the frontier carries besides its decode positions (prompt tokens, speculation).</param>
    /// <param name="measuredTokensPerSecondPerUser">Each level's measured rate; nulls (empty levels) are skipped.</param>
    public static IReadOnlyList<int> For(PreparedSol sol, double context, StepLoad load, int highestConcurrency, IEnumerable<double?> measuredTokensPerSecondPerUser)
    {
        ArgumentNullException.ThrowIfNull(sol);
        ArgumentNullException.ThrowIfNull(measuredTokensPerSecondPerUser);
        var measured = measuredTokensPerSecondPerUser.OfType<double>().ToArray();
        double? slowestMeasuredTokensPerSecondPerUser = measured.Length > 0 ? measured.Min() : null;
        var top = Math.Max(2, (int)Math.Min(Limit, Math.Pow(2, Math.Ceiling(Math.Log2(Math.Max(1, highestConcurrency))) + 1)));
        var batches = new List<int>(ParetoFrontier.PowersOfTwo(1, top));
        if (slowestMeasuredTokensPerSecondPerUser is { } slowest)
        {
            while (batches[^1] < Limit && sol.Evaluate(batches[^1], context, load).TokensPerSecondPerUser > slowest)
            {
                batches.Add(batches[^1] * 2);
            }
        }

        return batches;
    }
}
