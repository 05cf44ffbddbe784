using SolProfiler.Analysis;
using SolProfiler.Cli.Common;
using SolProfiler.Sol.Modeling;
using SolProfiler.Telemetry.Probe;

namespace SolProfiler.Cli.Sweep;

/// <summary>
/// Turns one level's measurements into the schema's numbers: latency statistics as genai-perf and vLLM's benchmark
/// define them, throughput, the operating point, and the SOL there with the efficiency and the Pareto gap.
/// </summary>
public static class LevelAnalysis
{
    public static SweepLevelResult Analyse(int concurrency, LevelMeasurement m, LevelTelemetry? server, PreparedSol sol, SweepSettings settings)
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(sol);
        ArgumentNullException.ThrowIfNull(settings);
        var ok = m.Results.Where(r => r.Success).ToList();
        var reasons = m.Results.Where(r => !r.Success)
            .GroupBy(Reason)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var level = new SweepLevelResult
        {
            Concurrency = concurrency,
            DurationSeconds = m.WallSeconds,
            Requests = m.Results.Count,
            Completed = ok.Count,
            Errors = m.Results.Count - ok.Count,
            ErrorReasons = reasons,
            ServerBatch = server?.Batch,
            ServerContextTokens = server?.ContextTokens,
            ServerStepSeconds = server?.StepSeconds,
            Replicas = server?.Replicas,
            PowerWatts = server?.PowerWatts,
        };
        if (ok.Count == 0)
        {
            return level; // empty, not zero: every measured number stays null
        }

        var tokens = ok.Sum(r => (long)r.OutputTokens);
        var perSecond = m.WallSeconds > 0 ? tokens / m.WallSeconds : (double?)null;
        var tpot = Summary(ok.Select(r => r.TpotSeconds).OfType<double>());
        var itl = Summary(ok.SelectMany(r => r.InterTokenGapsSeconds));
        var perUser = tpot is { Mean: > 0 } t ? 1 / t.Mean : (double?)null;
        // The step the server ran (its prompt tokens per step and speculation), as the agent takes it; the client alone
        // sees neither, so a client-only level is a decode-only step.
        var load = server?.Point is { } measured ? MeasuredStepLoad.From(measured, sol, new List<string>()) : default;
        var point = new LevelOperatingPoint(
            server?.Batch ?? concurrency,
            server?.ContextTokens ?? settings.ClientContextTokens,
            server?.Batch is null ? "client" : "server",
            server?.ContextTokens is null ? "client" : "server")
        {
            PrefillTokensPerStep = server?.Point is null ? null : load.PrefillTokens,
            TokensPerStep = server?.Point is null ? null : load.EmittedTokensPerSequence ?? 1,
        };
        var perGpu = perSecond / (settings.GpusPerReplica * (server?.Replicas ?? 1));
        var against = MeasuredAgainstSol.Of(sol, point.Batch, point.ContextTokens, load, server?.StepSeconds ?? itl?.Mean, perUser, perGpu);
        var madeTokens = server?.ServerTokensPerSecond ?? perSecond;
        return level with
        {
            OutputTokens = tokens,
            OutputTokensPerSecond = perSecond,
            OutputTokensPerSecondPerGpu = perGpu,
            TokensPerSecondPerUser = perUser,
            TtftSeconds = Summary(ok.Select(r => r.TtftSeconds).OfType<double>()),
            TpotSeconds = tpot,
            ItlSeconds = itl,
            OperatingPoint = point,
            Sol = SolResultRecord.From(sol, against.AtPoint),
            Efficiency = against.Efficiency,
            ParetoGapRatio = against.ParetoGapRatio,
            SolTokensPerSecondPerGpuAtMeasuredInteractivity = against.SolTokensPerSecondPerGpuAtMeasuredInteractivity,
            JoulesPerToken = server?.PowerWatts is { } watts && madeTokens is > 0 ? watts / madeTokens : null,
        };
    }

    /// <summary>The key under which a failed request is counted: its failure class (connect, before_headers, mid_stream, http_status, timeout, stream_error).</summary>
    public static string Reason(ProbeResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return ProbeFailureKinds.Label(r.Failure); // where it failed (bounded); the HTTP codes are counted beside it

    }

    private static LatencySummary? Summary(IEnumerable<double> values) =>
        LatencyStats.From(values) is { } s ? new LatencySummary(s.Mean, s.P50, s.P90, s.P99) : null;
}
