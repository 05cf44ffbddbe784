using SolProfiler.Sol.Modeling;

namespace SolProfiler.Analysis;

/// <summary>
/// The SOL at a measured, fractional mean batch (e.g. 37.4): linear interpolation between the two integer batches
/// around it. Every per-step quantity of the model is linear or near-linear in B between neighbours, so the error
/// is far below the telemetry's. The step's load (prompt tokens, speculation) is the same at both neighbours.
/// </summary>
public static class FractionalBatch
{
    public static SolResult Evaluate(PreparedSol sol, double batch, double context, StepLoad load)
    {
        ArgumentNullException.ThrowIfNull(sol);
        if (!double.IsFinite(batch) || batch <= 1)
        {
            return sol.Evaluate(1, context, load);
        }

        var lower = (int)Math.Floor(batch);
        var f = batch - lower;
        var lo = sol.Evaluate(lower, context, load);
        if (f < 1e-9)
        {
            return lo;
        }

        var hi = sol.Evaluate(lower + 1, context, load);
        double L(double a, double b) => a + ((b - a) * f);
        var seconds = new SolSeconds(
            L(lo.Seconds.Weights, hi.Seconds.Weights),
            L(lo.Seconds.Kv, hi.Seconds.Kv),
            L(lo.Seconds.Compute, hi.Seconds.Compute),
            L(lo.Seconds.Comm, hi.Seconds.Comm),
            L(lo.Seconds.Energy, hi.Seconds.Energy),
            L(lo.Seconds.Step, hi.Seconds.Step),
            L(lo.Seconds.Prefill, hi.Seconds.Prefill));
        var perToken = L(lo.SecondsPerOutputToken, hi.SecondsPerOutputToken);
        return (f < 0.5 ? lo : hi) with
        {
            WeightBytesPerGpu = L(lo.WeightBytesPerGpu, hi.WeightBytesPerGpu),
            KvBytesPerGpu = L(lo.KvBytesPerGpu, hi.KvBytesPerGpu),
            ReplicatedKvBytesPerGpu = L(lo.ReplicatedKvBytesPerGpu, hi.ReplicatedKvBytesPerGpu),
            SerialStepSeconds = L(lo.SerialStepSeconds, hi.SerialStepSeconds),
            OverlapStepSeconds = lo.OverlapStepSeconds is { } a && hi.OverlapStepSeconds is { } b ? L(a, b) : hi.OverlapStepSeconds,
            FlopsPerGpu = L(lo.FlopsPerGpu, hi.FlopsPerGpu),
            CommBytesPerGpu = L(lo.CommBytesPerGpu, hi.CommBytesPerGpu),
            Seconds = seconds,
            SecondsPerOutputToken = perToken,
            TokensPerSecondPerUser = 1.0 / perToken,
            TokensPerSecondPerGpu = L(lo.TokensPerSecondPerGpu, hi.TokensPerSecondPerGpu),
            JoulesPerToken = L(lo.JoulesPerToken, hi.JoulesPerToken),
            ResidentKvBytesPerGpu = L(lo.ResidentKvBytesPerGpu, hi.ResidentKvBytesPerGpu),
        };
    }
}
