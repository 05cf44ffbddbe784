using System.Globalization;
using System.Text.Json.Nodes;

namespace SolProfiler.Cli.Report;

/// <summary>Turns a sweep result (see the sweep JSON contract) into report points, one per concurrency level.</summary>
internal static class SweepReader
{
    public static ReportData Read(string path, JsonObject sweep)
    {
        var levels = JsonFields.At(sweep, "levels") as JsonArray ?? [];
        var points = levels.OfType<JsonObject>().Select(Level).ToArray();
        var config = JsonFields.Scalars(sweep, "configuration");
        Add(config, "endpoint", JsonFields.Str(sweep, "endpoint"));
        Add(config, "servedModel", JsonFields.Str(sweep, "servedModel"));
        if (JsonFields.At(sweep, "settings") is JsonObject settings)
        {
            if (settings["concurrency"] is JsonArray levelsAsked)
            {
                Add(config, "concurrency", string.Join(", ", levelsAsked.Select(n => n?.ToJsonString() ?? "null")));
            }

            config.AddRange(JsonFields.Scalars(sweep, "settings"));
        }

        Add(config, "startedAt", JsonFields.Str(sweep, "startedAt"));
        Add(config, "finishedAt", JsonFields.Str(sweep, "finishedAt"));
        Add(config, "stoppedEarly", JsonFields.Str(sweep, "stoppedEarly"));
        var title = Title(sweep["configuration"], "load sweep");
        return new ReportData(ReportKind.Sweep, path, title, config, points, JsonFields.Frontier(sweep));
    }

    internal static string Title(JsonNode? configuration, string what)
    {
        var model = JsonFields.Str(configuration, "model") ?? "unknown model";
        var gpu = JsonFields.Str(configuration, "gpu") ?? "unknown GPU";
        var tp = JsonFields.Str(configuration, "tp") is { } t ? $", TP {t}" : "";
        return $"{model} on {gpu}{tp}: {what}";
    }

    private static void Add(List<KeyValuePair<string, string>> list, string key, string? value)
    {
        if (value is not null)
        {
            list.Add(new(key, value));
        }
    }

    private static ReportPoint Level(JsonObject level)
    {
        var concurrency = JsonFields.Int(level, "concurrency");
        var completed = JsonFields.Int(level, "completed");
        var user = JsonFields.Num(level, "tokensPerSecondPerUser");
        var gpu = JsonFields.Num(level, "outputTokensPerSecondPerGpu");
        var hasData = completed is > 0 && user is not null && gpu is not null;
        var sol = level["sol"];
        return new ReportPoint
        {
            Label = "c=" + (concurrency?.ToString(CultureInfo.InvariantCulture) ?? "?"),
            Concurrency = concurrency,
            HasData = hasData,
            NoDataReason = hasData ? null : completed is 0 or null ? "no completed request" : "no measured throughput",
            TokensPerSecondPerUser = hasData ? user : null,
            TokensPerSecondPerGpu = hasData ? gpu : null,
            Efficiency = JsonFields.Num(level, "efficiency"),
            MeasuredStepSeconds = JsonFields.Num(level, "gap.measuredStepSeconds") ?? JsonFields.Num(level, "serverStepSeconds") ?? JsonFields.Num(level, "itlSeconds.mean"),
            SolStepSeconds = JsonFields.Num(level, "gap.solStepSeconds") ?? JsonFields.Num(sol, "seconds.step") ?? JsonFields.Num(sol, "secondsPerOutputToken"),
            Causes = JsonFields.NumberMap(level, "gap.causes") ?? JsonFields.NumberMap(level, "causes"),
            SolShares = JsonFields.NumberMap(sol, "shares"),
            SolSeconds = JsonFields.NumberMap(sol, "seconds"),
            SolBound = JsonFields.Str(sol, "bound"),
            Ttft = JsonFields.Latency(level, "ttftSeconds"),
            Tpot = JsonFields.Latency(level, "tpotSeconds"),
            Itl = JsonFields.Latency(level, "itlSeconds"),
            JoulesPerToken = JsonFields.Num(level, "joulesPerToken"),
            SolJoulesPerToken = JsonFields.Num(sol, "joulesPerToken"),
            Requests = JsonFields.Int(level, "requests"),
            Completed = completed,
            Errors = JsonFields.Int(level, "errors"),
        };
    }
}
