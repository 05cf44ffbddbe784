using System.Net;
using SolProfiler.Agent.Tests.Integration;
using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Agent.Tests.Faults;

/// <summary>
/// The fault matrix for the serving side: the real agent on 127.0.0.1 against a scripted vLLM endpoint that misbehaves
/// in one way at a time, with the NVML stand-in for the GPUs. For each fault: the agent stays up, its /metrics stays
/// valid (our parser, and promtool where installed), the serving source reports the fault where it is one, no sol_*
/// value is NaN or infinite, and the good window after the fault exports what the good window before it did.
/// Run alone with <c>dotnet test --filter Category=Fault</c>.
/// </summary>
[Trait("Category", "Fault")]
[Collection(NativeStandInGroup.Name)]
public sealed class ServingFaultTests
{
    /// <summary>Faults that fail the scrape: the serving source goes down with this reason.</summary>
    [Theory]
    [InlineData(ScriptMode.SlowLoris, "timeout")]
    [InlineData(ScriptMode.Truncated, "truncated")]
    [InlineData(ScriptMode.GzipCorrupt, "bad_encoding")]
    [InlineData(ScriptMode.Oversized, "too_large")]
    [InlineData(ScriptMode.Garbage, "unknown_server")]
    [InlineData(ScriptMode.Html, "html")]
    [InlineData(ScriptMode.Hang, "timeout")]
    public async Task A_failing_scrape_takes_the_serving_source_down_with_its_reason_and_nothing_is_lost(ScriptMode mode, string reason)
    {
        await using var server = await ScriptedVllmServer.StartAsync();
        await using var agent = await AgentMetricsTests.StartAgentAsync(server);
        var before = await GoodWindowAsync(agent, server);

        server.Mode = mode;
        var during = await agent.WaitForMetricsAsync(
            d => d.Samples("sol_source_errors_total").Any(s => s.LabelValue("source") == "serving" && s.LabelValue("reason") == reason && s.Value >= 1)
                && d.Samples("sol_source_up").Any(s => s.LabelValue("source") == "serving" && s.Value == 0),
            $"serving down with reason {reason}");
        Assert.False(during.Contains("sol_efficiency_ratio"), "a gap exported from a failing source");
        Assert.True(during.Contains("sol_gpu_power_watts"), "the GPU side must not suffer from the serving fault");
        await AssertHealthyExpositionAsync(agent);

        server.Mode = ScriptMode.Healthy;
        var after = await GoodWindowAsync(agent, server);
        Assert.Equal(before, after, 3);
    }

    [Fact]
    public async Task A_server_down_when_the_agent_starts_is_measured_once_it_comes_up()
    {
        await using var server = await ScriptedVllmServer.StartAsync();
        await server.StopAsync();
        await using var agent = await AgentMetricsTests.StartAgentAsync(server);

        await agent.WaitForMetricsAsync(
            d => d.Samples("sol_source_errors_total").Any(s => s.LabelValue("source") == "serving" && s.LabelValue("reason") == "connection" && s.Value >= 1),
            "connection errors counted");
        using (var ready = await agent.Http.GetAsync(new Uri("readyz", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }

        await AssertHealthyExpositionAsync(agent);
        await server.RestartAsync(resetCounters: false);
        await GoodWindowAsync(agent, server);
    }

    /// <summary>Faults in the data, not the transport: the scrape parses, so the source stays up, and the numbers are refused.</summary>
    [Theory]
    [InlineData(ScriptMode.NonFinite)]
    [InlineData(ScriptMode.NegativeCounters)]
    [InlineData(ScriptMode.DecreasingCounters)]
    public async Task Impossible_counters_never_reach_the_exported_gap(ScriptMode mode)
    {
        await using var server = await ScriptedVllmServer.StartAsync();
        await using var agent = await AgentMetricsTests.StartAgentAsync(server);
        var before = await GoodWindowAsync(agent, server);

        server.Mode = mode;
        // Long enough for the 2 s window to hold nothing but corrupt scrapes.
        await Task.Delay(TimeSpan.FromSeconds(3));
        for (var i = 0; i < 5; i++)
        {
            var doc = await agent.MetricsAsync();
            AssertFinite(doc);
            if (doc.Contains("sol_measured_step_seconds"))
            {
                // whatever the agent still exports must be the script's truth, not the corruption's
                Assert.True(Value(doc, "sol_measured_step_seconds") > 0);
            }

            await Task.Delay(200);
        }

        await AssertHealthyExpositionAsync(agent);
        server.Mode = ScriptMode.Healthy;
        await server.RestartAsync(resetCounters: true); // the corrupt counters end as a restarted server's would
        var after = await GoodWindowAsync(agent, server);
        Assert.Equal(before, after, 3);
    }

    [Fact]
    public async Task A_hundred_thousand_series_are_read_and_leave_the_export_unchanged()
    {
        await using var server = await ScriptedVllmServer.StartAsync();
        await using var agent = await AgentMetricsTests.StartAgentAsync(server, ("serving:timeout", "5s"));
        var before = await GoodWindowAsync(agent, server);
        var seriesBefore = SeriesOf(await agent.MetricsAsync());

        server.Mode = ScriptMode.ManySeries;
        await Task.Delay(TimeSpan.FromSeconds(3));
        var during = await GoodWindowAsync(agent, server);
        var doc = await agent.MetricsAsync();

        Assert.Equal(before, during, 3);
        AssertNoNewSeries(seriesBefore, doc);
        Assert.DoesNotContain(doc.Families.Keys, k => k.Contains("noise", StringComparison.Ordinal));
        await AssertHealthyExpositionAsync(agent);
    }

    [Fact]
    public async Task Hostile_label_values_and_ten_thousand_model_names_keep_the_export_bounded()
    {
        await using var server = await ScriptedVllmServer.StartAsync();
        await using var agent = await AgentMetricsTests.StartAgentAsync(server, ("serving:timeout", "5s"));
        var before = await GoodWindowAsync(agent, server);
        var seriesBefore = SeriesOf(await agent.MetricsAsync());

        server.Mode = ScriptMode.HostileLabels;
        await Task.Delay(TimeSpan.FromSeconds(4)); // ~20 scrapes: 200,000 distinct model names seen
        // the engine that decodes is still measured, under its hostile name, exactly as before
        Assert.Equal(before, await GoodWindowAsync(agent, server), 3);
        for (var i = 0; i < 3; i++)
        {
            var doc = await agent.MetricsAsync();
            AssertFinite(doc);
            // nothing the server names reaches our labels: no series appears that the good window did not have
            AssertNoNewSeries(seriesBefore, doc);
            Assert.DoesNotContain(doc.Families.Values.SelectMany(f => f.Samples), s => s.Labels.Any(l => l.Value.Contains('\u001b', StringComparison.Ordinal) || l.Value.Length > 256));
            await Task.Delay(300);
        }

        using (var live = await agent.Http.GetAsync(new Uri("healthz", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        await AssertHealthyExpositionAsync(agent);
        server.Mode = ScriptMode.Healthy;
        var after = await GoodWindowAsync(agent, server);
        Assert.Equal(before, after, 3);
    }

    /// <summary>
    /// Waits for a window made of good scrapes only: valid, with the script's step; returns its efficiency. With
    /// <paramref name="withGpuReads"/> (unless the GPU source is meant to be down) the GPUs were read in it too.
    /// </summary>
    internal static async Task<double> GoodWindowAsync(AgentUnderTest agent, ScriptedVllmServer server, bool withGpuReads = true)
    {
        var snapshot = await agent.WaitForSnapshotAsync(
            s => s.GetProperty("valid").GetBoolean()
                && Math.Abs(s.GetProperty("operatingPoint").GetProperty("measuredStepSeconds").GetDouble() - server.StepSeconds) < 1e-6
                && Math.Abs(s.GetProperty("operatingPoint").GetProperty("batch").GetDouble() - server.Running) < 1e-6
                // and the GPUs read twice in it, so every measured series is there (the first valid window comes after
                // two scrapes, and may come before the GPU source's second read)
                && (!withGpuReads
                    || (s.GetProperty("operatingPoint").GetProperty("hbmBytesPerSecondPerGpu").ValueKind == System.Text.Json.JsonValueKind.Number
                        && s.GetProperty("operatingPoint").GetProperty("nvlinkBytesPerSecondPerGpu").ValueKind == System.Text.Json.JsonValueKind.Number)),
            withGpuReads ? "a window of good scrapes and GPU reads" : "a window of good scrapes",
            seconds: 30);
        var doc = await agent.WaitForMetricsAsync(d => d.Contains("sol_efficiency_ratio"), "the efficiency exported");
        var efficiency = Value(doc, "sol_efficiency_ratio");
        Assert.Equal(snapshot.GetProperty("gap").GetProperty("efficiency").GetDouble(), efficiency, 3);
        return efficiency;
    }

    /// <summary>/metrics parses without a problem, holds no NaN or infinity, and (where installed) promtool finds nothing to lint.</summary>
    internal static async Task AssertHealthyExpositionAsync(AgentUnderTest agent)
    {
        AssertFinite(await agent.MetricsAsync());
        if (Promtool.Path is not null)
        {
            var body = await agent.Http.GetStringAsync(new Uri("metrics", UriKind.Relative));
            var (code, output) = await Promtool.CheckMetricsAsync(body);
            Assert.True(code == 0 && string.IsNullOrWhiteSpace(output), $"promtool check metrics: exit {code}\n{output}");
        }
    }

    /// <summary>
    /// Every series of <paramref name="doc"/> was already exported in the good window: the server's names and series
    /// never add any. A subset, not an equal count: on a starved machine a window may turn invalid while the fault
    /// runs, and its gap series then vanish, as they should (every error-reason series exists from start-up).
    /// </summary>
    private static void AssertNoNewSeries(IReadOnlySet<string> before, ExpositionDocument doc)
    {
        var added = SeriesOf(doc).Except(before).ToList();
        Assert.True(added.Count == 0, $"{added.Count} series not in the good window, such as {string.Join(", ", added.Take(3))}");
    }

    private static HashSet<string> SeriesOf(ExpositionDocument doc) => doc.Families.Values
        .SelectMany(f => f.Samples)
        .Select(s => s.Name + "{" + string.Join(",", s.Labels.OrderBy(l => l.Name, StringComparer.Ordinal).Select(l => $"{l.Name}={l.Value}")) + "}")
        .ToHashSet(StringComparer.Ordinal);

    private static void AssertFinite(ExpositionDocument doc) =>
        Assert.DoesNotContain(doc.Families.Values.SelectMany(f => f.Samples), s => !double.IsFinite(s.Value));

    private static double Value(ExpositionDocument doc, string name) => Assert.Single(doc.Samples(name)).Value;
}
