using SolProfiler.Agent.Tests.Integration;

namespace SolProfiler.Agent.Tests.EndToEnd;

/// <summary>The Prometheus harness itself: it scrapes the agent and evaluates a rule, so an empty result elsewhere means the query.</summary>
[Collection(NativeStandInGroup.Name)]
public sealed class PrometheusServerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("solprof-rules-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [PrometheusFact]
    public async Task Scrapes_the_agent_and_evaluates_rules()
    {
        var rule = Path.Combine(_folder, "probe.yml");
        await File.WriteAllTextAsync(rule, """
            groups:
              - name: probe
                rules:
                  - record: instance:sol_window_seconds:max
                    expr: max by (instance) (sol_window_seconds)
            """);
        await using var server = await ScriptedVllmServer.StartAsync();
        await using var agent = await AgentMetricsTests.StartAgentAsync(server);
        await using var prometheus = await PrometheusServer.StartAsync(agent.BaseUrl, [rule]);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await prometheus.QueryAsync("instance:sol_window_seconds:max")).GetArrayLength() == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the recording rule never produced a series");
            await Task.Delay(300);
        }

        var result = await prometheus.QueryAsync("instance:sol_window_seconds:max");
        Assert.Equal(agent.Runtime.Options.Window.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), result[0].GetProperty("value")[1].GetString());
        Assert.Equal(1, (await prometheus.QueryAsync("up{job=\"solprof\"} == 1")).GetArrayLength());
    }
}
