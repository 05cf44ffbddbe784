using System.Globalization;
using System.Text.Json.Nodes;

namespace SolProfiler.Cli.Report;

/// <summary>Turns an agent recording (one snapshot per line) into report points, one per window.</summary>
internal static class RecordingReader
{
    public static ReportData Read(string path, IReadOnlyList<JsonObject> snapshots)
    {
        var points = snapshots.Select(Window).ToArray();
        var first = snapshots[0];
        var config = JsonFields.Scalars(first, "configuration");
        config.Add(new("windows", snapshots.Count.ToString(CultureInfo.InvariantCulture)));
        config.Add(new("validWindows", points.Count(p => p.HasData).ToString(CultureInfo.InvariantCulture)));
        if (JsonFields.Str(first, "timestamp") is { } from)
        {
            config.Add(new("from", from));
        }

        if (JsonFields.Str(snapshots[^1], "timestamp") is { } to)
        {
            config.Add(new("to", to));
        }

        var frontier = snapshots.Reverse().Select(JsonFields.Frontier).FirstOrDefault(f => f.Count > 0) ?? [];
        return new ReportData(ReportKind.Recording, path, SweepReader.Title(first["configuration"], "agent recording"), config, points, frontier);
    }

    private static ReportPoint Window(JsonObject snapshot)
    {
        var valid = JsonFields.Bool(snapshot, "valid") ?? false;
        var op = snapshot["operatingPoint"];
        var gap = snapshot["gap"];
        var sol = snapshot["sol"];
        var user = JsonFields.Num(op, "tokensPerSecondPerUser");
        var gpu = JsonFields.Num(op, "tokensPerSecondPerGpu");
        var hasData = valid && user is not null && gpu is not null;
        var time = DateTimeOffset.TryParse(JsonFields.Str(snapshot, "timestamp"), CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : (DateTimeOffset?)null;
        return new ReportPoint
        {
            Label = time?.ToUniversalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture) ?? "?",
            Time = time,
            HasData = hasData,
            NoDataReason = hasData ? null : JsonFields.Str(snapshot, "invalidReason") ?? "invalid window",
            TokensPerSecondPerUser = hasData ? user : null,
            TokensPerSecondPerGpu = hasData ? gpu : null,
            Efficiency = hasData ? JsonFields.Num(gap, "efficiency") : null,
            MeasuredStepSeconds = JsonFields.Num(gap, "measuredStepSeconds") ?? JsonFields.Num(op, "measuredStepSeconds"),
            SolStepSeconds = JsonFields.Num(gap, "solStepSeconds") ?? JsonFields.Num(sol, "seconds.step"),
            Causes = hasData ? JsonFields.NumberMap(gap, "causes") : null,
            SolShares = JsonFields.NumberMap(sol, "shares"),
            SolSeconds = JsonFields.NumberMap(sol, "seconds"),
            SolBound = JsonFields.Str(sol, "bound"),
            JoulesPerToken = hasData ? JsonFields.Num(op, "joulesPerToken") : null,
            SolJoulesPerToken = JsonFields.Num(sol, "joulesPerToken"),
        };
    }
}
