using System.Globalization;
using SolProfiler.Analysis;
using static SolProfiler.Cli.Report.ReportValues;

namespace SolProfiler.Cli.Report;

/// <summary>Turns an agent recording (one snapshot per line, read back by the snapshot's own type) into report points, one per window.</summary>
internal static class RecordingReader
{
    public static ReportData Read(string path, IReadOnlyList<AgentSnapshot> snapshots)
    {
        var options = AgentJson.Snapshot.Options;
        var points = snapshots.Select(s => Window(s, options)).ToArray();
        var first = snapshots[0];
        var config = Scalars(first.Configuration, options);
        config.Add(new("windows", snapshots.Count.ToString(CultureInfo.InvariantCulture)));
        config.Add(new("validWindows", points.Count(p => p.HasData).ToString(CultureInfo.InvariantCulture)));
        config.Add(new("from", Timestamp(first, options)));
        config.Add(new("to", Timestamp(snapshots[^1], options)));
        var frontier = snapshots.Reverse().Select(s => SweepReader.Frontier(s.Frontier)).FirstOrDefault(f => f.Count > 0) ?? [];
        var title = SweepReader.Title(first.Configuration.Model, first.Configuration.Gpu, first.Configuration.Tp, "agent recording");
        return new ReportData(ReportKind.Recording, path, title, config, points, frontier);
    }

    /// <summary>The timestamp as the recording wrote it.</summary>
    private static string Timestamp(AgentSnapshot snapshot, System.Text.Json.JsonSerializerOptions options) =>
        System.Text.Json.JsonSerializer.Serialize(snapshot.Timestamp, options.GetTypeInfo(typeof(DateTimeOffset))).Trim('"');

    private static ReportPoint Window(AgentSnapshot snapshot, System.Text.Json.JsonSerializerOptions options)
    {
        var op = snapshot.OperatingPoint;
        var gap = snapshot.Gap;
        var sol = snapshot.Sol;
        var user = Finite(op?.TokensPerSecondPerUser);
        var gpu = Finite(op?.TokensPerSecondPerGpu);
        var hasData = snapshot.Valid && user is not null && gpu is not null;
        return new ReportPoint
        {
            Label = snapshot.Timestamp.ToUniversalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture),
            Time = snapshot.Timestamp,
            HasData = hasData,
            NoDataReason = hasData ? null : snapshot.InvalidReason ?? "invalid window",
            TokensPerSecondPerUser = hasData ? user : null,
            TokensPerSecondPerGpu = hasData ? gpu : null,
            Efficiency = hasData ? Finite(gap?.Efficiency) : null,
            MeasuredStepSeconds = Finite(gap?.MeasuredStepSeconds) ?? Finite(op?.MeasuredStepSeconds),
            SolStepSeconds = Finite(gap?.SolStepSeconds) ?? Finite(sol?.Seconds.Step),
            Causes = hasData ? Numbers(gap?.Causes, options) : null,
            SolShares = Numbers(sol?.Shares, options),
            SolSeconds = Numbers(sol?.Seconds, options),
            SolBound = sol is null ? null : Name(sol.Bound),
            JoulesPerToken = hasData ? Finite(op?.JoulesPerToken) : null,
            SolJoulesPerToken = Finite(sol?.JoulesPerToken),
        };
    }
}
