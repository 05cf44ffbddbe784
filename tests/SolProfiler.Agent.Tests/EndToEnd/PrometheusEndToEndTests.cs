using System.Text.Json;
using SolProfiler.Agent.Tests.Integration;
using Xunit.Abstractions;

namespace SolProfiler.Agent.Tests.EndToEnd;

/// <summary>
/// The demo agent scraped by a real Prometheus on 127.0.0.1 that loads the repository's recording and alert rules:
/// every dashboard panel's query and every recording rule must return data, and every rule must evaluate cleanly.
/// </summary>
[Collection(NativeStandInGroup.Name)]
public sealed class PrometheusEndToEndTests(ITestOutputHelper output)
{
    [PrometheusFact]
    public async Task Every_dashboard_query_and_recording_rule_returns_data_and_every_rule_evaluates()
    {
        var root = RepositoryPaths.Root();
        var rules = FastRuleCopies(Directory.GetFiles(Path.Combine(root, "dashboards", "prometheus", "rules"), "*.yml").Order(StringComparer.Ordinal).ToArray());
        Assert.NotEmpty(rules);
        await using var agent = await AgentUnderTest.StartAsync(
            ("demo", "true"), ("model", "llama-3.1-70b"), ("gpu", "auto"), ("tp", "8"), ("weights", "fp8"), ("kv", "fp8"), ("activations", "fp8"),
            ("window", "3s"), ("sampleInterval", "500ms"), ("demoSettings:fixedBatch", "32"),
            ("demoSettings:nvmlLibraryPath", NvmlStandIn.LibraryPath));
        await agent.WaitForSnapshotAsync(s => s.GetProperty("valid").GetBoolean(), "a valid demo window", seconds: 30);
        await using var prometheus = await PrometheusServer.StartAsync(agent.BaseUrl, rules);

        // Enough scrapes for rate() over the dashboards' 10 s interval, and a few rule evaluations.
        var deadline = DateTime.UtcNow.AddSeconds(40);
        while ((await prometheus.QueryAsync("count_over_time(sol_efficiency_ratio[1m])")).EnumerateArray().FirstOrDefault() is var r
            && (r.ValueKind == JsonValueKind.Undefined || double.Parse(r.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture) < 12))
        {
            Assert.True(DateTime.UtcNow < deadline, "Prometheus did not collect 12 scrapes of the agent in 40 s");
            await Task.Delay(500);
        }

        var empty = new List<string>();
        var queries = DashboardQueries.All(root);
        Assert.NotEmpty(queries);
        foreach (var (dashboard, panel, expr) in queries)
        {
            var result = await prometheus.QueryAsync(expr);
            output.WriteLine($"{dashboard} / {panel}: {result.GetArrayLength()} series  <- {expr}");
            if (result.GetArrayLength() == 0)
            {
                empty.Add($"{dashboard} / {panel}: {expr}");
            }
        }

        var groups = await prometheus.RulesAsync();
        var recorded = new List<string>();
        foreach (var group in groups.EnumerateArray())
        {
            foreach (var rule in group.GetProperty("rules").EnumerateArray())
            {
                var name = rule.GetProperty("name").GetString()!;
                Assert.True(rule.GetProperty("health").GetString() == "ok", $"rule {name} in {group.GetProperty("file").GetString()}: {rule}");
                if (rule.GetProperty("type").GetString() == "recording")
                {
                    recorded.Add(name);
                }
            }
        }

        foreach (var name in recorded)
        {
            var result = await prometheus.QueryAsync(name);
            output.WriteLine($"recording rule {name}: {result.GetArrayLength()} series");
            if (result.GetArrayLength() == 0)
            {
                empty.Add("recording rule " + name);
            }
        }

        Assert.True(empty.Count == 0, "no data for:\n  " + string.Join("\n  ", empty));
        Assert.NotEmpty(recorded);
    }

    /// <summary>
    /// The rule files with every group evaluated each second (the 7-day baseline group runs every 5 minutes in
    /// production), in a temporary folder: the test needs each rule evaluated at least once.
    /// </summary>
    private static string[] FastRuleCopies(string[] files)
    {
        var folder = Directory.CreateTempSubdirectory("solprof-e2e-rules-").FullName;
        return files.Select(f =>
        {
            var copy = Path.Combine(folder, Path.GetFileName(f));
            File.WriteAllText(copy, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(f), @"(?m)^(\s*)interval:\s*\S+", "$1interval: 1s"));
            return copy;
        }).ToArray();
    }
}
