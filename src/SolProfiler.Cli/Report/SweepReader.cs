using System.Globalization;
using SolProfiler.Analysis;
using SolProfiler.Cli.Sweep;
using static SolProfiler.Cli.Report.ReportValues;

namespace SolProfiler.Cli.Report;

/// <summary>Turns a sweep result, read back by its own type, into report points, one per concurrency level.</summary>
internal static class SweepReader
{
    public static ReportData Read(string path, SweepResult sweep)
    {
        var options = SweepFiles.Json.Options;
        var top = Scalars(sweep, options).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var config = Scalars(sweep.Configuration, options);
        Add(config, top, "endpoint");
        Add(config, top, "servedModel");
        config.Add(new("concurrency", string.Join(", ", sweep.Settings.Concurrency.Select(c => c.ToString(CultureInfo.InvariantCulture)))));
        config.AddRange(Scalars(sweep.Settings, options));
        Add(config, top, "startedAt");
        Add(config, top, "finishedAt");
        Add(config, top, "stoppedEarly");
        var title = Title(sweep.Configuration.Model, sweep.Configuration.Gpu, sweep.Configuration.Tp, "load sweep");
        return new ReportData(ReportKind.Sweep, path, title, config, sweep.Levels.Select(l => Level(l, options)).ToArray(), Frontier(sweep.Frontier));
    }

    internal static string Title(string? model, string? gpu, int tp, string what) =>
        $"{model ?? "unknown model"} on {gpu ?? "unknown GPU"}, TP {tp.ToString(CultureInfo.InvariantCulture)}: {what}";

    /// <summary>The frontier's finite points by batch, as the charts draw them.</summary>
    internal static IReadOnlyList<ReportFrontierPoint> Frontier(IEnumerable<FrontierPoint> frontier) => frontier
        .Where(p => double.IsFinite(p.TokensPerSecondPerUser) && double.IsFinite(p.TokensPerSecondPerGpu))
        .Select(p => new ReportFrontierPoint(p.Batch, p.TokensPerSecondPerUser, p.TokensPerSecondPerGpu, p.Fits))
        .OrderBy(p => p.Batch)
        .ToArray();

    private static void Add(List<KeyValuePair<string, string>> list, Dictionary<string, string> top, string key)
    {
        if (top.TryGetValue(key, out var value))
        {
            list.Add(new(key, value));
        }
    }

    private static ReportPoint Level(SweepLevelResult level, System.Text.Json.JsonSerializerOptions options)
    {
        var user = Finite(level.TokensPerSecondPerUser);
        var gpu = Finite(level.OutputTokensPerSecondPerGpu);
        var hasData = level.Completed > 0 && user is not null && gpu is not null;
        var sol = level.Sol;
        return new ReportPoint
        {
            Label = "c=" + level.Concurrency.ToString(CultureInfo.InvariantCulture),
            Concurrency = level.Concurrency,
            HasData = hasData,
            NoDataReason = hasData ? null : level.Completed == 0 ? "no completed request" : "no measured throughput",
            TokensPerSecondPerUser = hasData ? user : null,
            TokensPerSecondPerGpu = hasData ? gpu : null,
            Efficiency = Finite(level.Efficiency),
            MeasuredStepSeconds = Finite(level.ServerStepSeconds) ?? Finite(level.ItlSeconds?.Mean),
            SolStepSeconds = Finite(sol?.Seconds.Step) ?? Finite(sol?.SecondsPerOutputToken),
            SolShares = Numbers(sol?.Shares, options),
            SolSeconds = Numbers(sol?.Seconds, options),
            SolBound = sol is null ? null : Name(sol.Bound),
            Ttft = Latency(level.TtftSeconds),
            Tpot = Latency(level.TpotSeconds),
            Itl = Latency(level.ItlSeconds),
            JoulesPerToken = Finite(level.JoulesPerToken),
            SolJoulesPerToken = Finite(sol?.JoulesPerToken),
            Requests = level.Requests,
            Completed = level.Completed,
            Errors = level.Errors,
        };
    }

    private static LatencyPercentiles? Latency(LatencySummary? s) =>
        s is null ? null : new LatencyPercentiles(Finite(s.Mean), Finite(s.P50), Finite(s.P90), Finite(s.P99));
}
