using System.Net;
using System.Text.Json;
using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Agent.Tests.Integration;

/// <summary>
/// The agent end to end on 127.0.0.1: a scripted vLLM endpoint, the NVML stand-in (8 simulated H100s, through the
/// real P/Invoke path) and the agent's own Kestrel server, scraped as Prometheus would.
/// </summary>
[Collection(NativeStandInGroup.Name)]
public sealed class AgentMetricsTests
{
    private static readonly string[] Families =
    [
        "sol_info", "sol_model_step_seconds", "sol_model_component_seconds", "sol_model_bound_info",
        "sol_measured_step_seconds", "sol_efficiency_ratio", "sol_gap_seconds", "sol_batch_size", "sol_context_tokens",
        "sol_tokens_per_second_per_user", "sol_tokens_per_second_per_gpu", "sol_pareto_gap_ratio",
        "sol_energy_per_token_joules", "sol_hbm_bytes_per_second", "sol_nvlink_bytes_per_second",
        "sol_frontier_tokens_per_second_per_user", "sol_frontier_tokens_per_second_per_gpu",
        "sol_gpu_power_watts", "sol_gpu_energy_joules_total", "sol_gpu_dram_active_ratio", "sol_gpu_graphics_active_ratio",
        "sol_gpu_tensor_active_ratio", "sol_gpu_nvlink_bytes_total", "sol_source_up", "sol_source_errors_total", "sol_window_seconds",
    ];

    private static readonly string[] GapFamilies =
    [
        "sol_model_step_seconds", "sol_model_component_seconds", "sol_measured_step_seconds", "sol_efficiency_ratio",
        "sol_gap_seconds", "sol_batch_size", "sol_context_tokens", "sol_pareto_gap_ratio",
    ];

    internal static Task<AgentUnderTest> StartAgentAsync(ScriptedVllmServer server, params (string, string)[] more)
    {
        NvmlStandIn.Reset();
        return AgentUnderTest.StartAsync(
            [("model", "llama-3.1-70b"), ("tp", "8"), ("weights", "fp8"), ("kv", "fp8"), ("activations", "fp8"),
             ("gpuSource:backend", "sim"), ("gpuSource:library", NvmlStandIn.LibraryPath), ("serving:url", server.MetricsUrl.ToString()), .. more]);
    }

    private static double Value(ExpositionDocument doc, string name, params (string Label, string Value)[] labels)
    {
        var matches = doc.Samples(name).Where(s => labels.All(l => s.LabelValue(l.Label) == l.Value)).ToArray();
        Assert.True(matches.Length == 1, $"{name}{{{string.Join(",", labels.Select(l => $"{l.Label}={l.Value}"))}}}: {matches.Length} series");
        return matches[0].Value;
    }

    [Fact]
    public async Task Every_family_appears_with_the_values_of_the_window()
    {
        await using var server = await ScriptedVllmServer.StartAsync();
        await using var agent = await StartAgentAsync(server);

        await agent.WaitForSnapshotAsync(s => s.GetProperty("valid").GetBoolean(), "a valid window");
        var doc = await agent.WaitForMetricsAsync(d => d.Contains("sol_gpu_nvlink_bytes_total") && d.Contains("sol_gap_seconds"), "all families");

        Assert.All(Families, f => Assert.True(doc.Contains(f) || doc.Families.ContainsKey(f), $"{f} missing"));
        Assert.All(doc.Families.Values.Where(f => f.Name.StartsWith("sol_", StringComparison.Ordinal)), f => Assert.False(string.IsNullOrEmpty(f.Help), $"{f.Name} has no HELP"));

        // The configuration, with the GPU found from the stand-in's device name.
        var info = Assert.Single(doc.Samples("sol_info"));
        Assert.Equal(("llama-3.1-70b", "h100-sxm", "8", "1", "1", "vllm", "fp8", "fp8"),
            (info.LabelValue("model"), info.LabelValue("gpu_type"), info.LabelValue("tp"), info.LabelValue("pp"), info.LabelValue("ep"), info.LabelValue("server"), info.LabelValue("weights"), info.LabelValue("kv")));

        // The operating point is the script's: its step, its batch, and context = KV usage x blocks x 16 / batch.
        var measured = Value(doc, "sol_measured_step_seconds");
        Assert.Equal(server.StepSeconds, measured, 1e-6);
        Assert.Equal(server.Running, Value(doc, "sol_batch_size"), 1e-9);
        Assert.Equal(server.Context, Value(doc, "sol_context_tokens"), 1e-6);
        Assert.Equal(1 / server.StepSeconds, Value(doc, "sol_tokens_per_second_per_user", ("kind", "measured")), 1e-3);

        // SOL + causes = measured; efficiency = SOL / measured; the model's step is one of its components' maxima.
        var sol = Value(doc, "sol_model_step_seconds");
        var causes = doc.Samples("sol_gap_seconds").ToDictionary(s => s.LabelValue("cause")!, s => s.Value);
        Assert.Equal(["communication", "extra_bytes", "idle", "throttling", "unattributed", "unused_bandwidth"], causes.Keys.Order(StringComparer.Ordinal));
        Assert.All(causes.Values, v => Assert.True(v >= 0));
        Assert.Equal(measured, sol + causes.Values.Sum(), 1e-9);
        Assert.Equal(sol / measured, Value(doc, "sol_efficiency_ratio"), 1e-9);
        Assert.Equal(["comm", "compute", "energy", "kv", "prefill", "weights"], doc.Samples("sol_model_component_seconds").Select(c => c.LabelValue("component")!).Order(StringComparer.Ordinal));
        Assert.Equal("weights", Assert.Single(doc.Samples("sol_model_bound_info")).LabelValue("bound"));
        Assert.InRange(Value(doc, "sol_pareto_gap_ratio"), 0.01, 1.0);

        // Eight GPUs, each with power, energy, activity and both NVLink directions; both sources up.
        Assert.Equal(8, doc.Samples("sol_gpu_power_watts").Count);
        Assert.Equal(16, doc.Samples("sol_gpu_nvlink_bytes_total").Count);
        Assert.All(doc.Samples("sol_gpu_power_watts"), s => Assert.InRange(s.Value, 50, 700));
        Assert.Equal(1, Value(doc, "sol_source_up", ("source", "gpu")));
        Assert.Equal(1, Value(doc, "sol_source_up", ("source", "serving")));
        Assert.Equal(agent.Runtime.Options.Window.TotalSeconds, Value(doc, "sol_window_seconds"));
        Assert.Equal(0, Value(doc, "sol_source_errors_total", ("source", "serving"), ("reason", "timeout")));
        Assert.Equal(0, Value(doc, "sol_source_errors_total", ("source", "gpu"), ("reason", "unavailable")));
        var snapshot = await agent.SnapshotAsync();
        Assert.Equal(snapshot.GetProperty("frontier").EnumerateArray().Count(p => p.GetProperty("fits").GetBoolean()), doc.Samples("sol_frontier_tokens_per_second_per_gpu").Count);
        Assert.Equal(MetricType.Counter, doc.Families["sol_gpu_energy_joules_total"].Type);
        Assert.True(Value(doc, "sol_energy_per_token_joules", ("kind", "measured")) > 0);
        Assert.True(Value(doc, "sol_hbm_bytes_per_second", ("kind", "required")) > 0);
        Assert.True(Value(doc, "sol_nvlink_bytes_per_second", ("kind", "modeled")) > 0);
    }

    [Trait("Category", "Fault")]
    [Fact]
    public async Task A_server_that_goes_down_is_reported_and_its_gap_series_vanish_until_it_is_back()
    {
        await using var server = await ScriptedVllmServer.StartAsync();
        await using var agent = await StartAgentAsync(server);
        await agent.WaitForSnapshotAsync(s => s.GetProperty("valid").GetBoolean(), "a valid window");

        await server.StopAsync();
        var down = await agent.WaitForMetricsAsync(d => d.Samples("sol_source_up").Any(s => s.LabelValue("source") == "serving" && s.Value == 0), "serving down");
        Assert.All(GapFamilies, f => Assert.False(down.Contains(f), $"{f} still exported while the server is down"));
        Assert.Contains(down.Samples("sol_source_errors_total"), s => s.LabelValue("source") == "serving" && s.LabelValue("reason") == "connection" && s.Value >= 1);
        Assert.True(down.Contains("sol_gpu_power_watts"), "GPU series must stay while only the server is down");
        using (var ready = await agent.Http.GetAsync(new Uri("readyz", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }

        // The next analysis tick says why there is no measurement.
        await agent.WaitForSnapshotAsync(
            s => s.GetProperty("invalidReason").GetString()?.StartsWith("serving source down: cannot connect", StringComparison.Ordinal) == true,
            "the snapshot to name the connection failure");
        using (var live = await agent.Http.GetAsync(new Uri("healthz", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        await server.RestartAsync(resetCounters: false);
        var back = await agent.WaitForMetricsAsync(d => d.Contains("sol_efficiency_ratio"), "the gap back after recovery");
        Assert.Equal(1, Value(back, "sol_source_up", ("source", "serving")));
        using (var ready = await agent.Http.GetAsync(new Uri("readyz", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }
    }

    [Trait("Category", "Fault")]
    [Fact]
    public async Task A_restart_that_resets_counters_gives_no_negative_rates()
    {
        // A reset is seen only by a window that holds a scrape from before the restart and one from after it; under a
        // loaded CI machine the restart itself (stop, start Kestrel) can outlast the 2 s default window, so this test
        // runs 6 s windows.
        await using var server = await ScriptedVllmServer.StartAsync();
        await using var agent = await StartAgentAsync(server, ("window", "6s"));
        await agent.WaitForSnapshotAsync(s => s.GetProperty("valid").GetBoolean(), "a valid window", seconds: 40);

        await server.RestartAsync(resetCounters: true);
        var after = await agent.WaitForSnapshotAsync(
            s => s.GetProperty("valid").GetBoolean() && s.GetProperty("operatingPoint").GetProperty("counterResets").GetInt32() > 0,
            "a valid window that spans the reset", seconds: 40);

        var point = after.GetProperty("operatingPoint");
        Assert.Equal(server.StepSeconds, point.GetProperty("measuredStepSeconds").GetDouble(), 1e-6);
        Assert.True(point.GetProperty("tokensPerSecond").GetDouble() > 0);
    }

    [Trait("Category", "Fault")]
    [Theory]
    [InlineData(ScriptMode.Garbage, "unknown_server")]
    [InlineData(ScriptMode.Html, "html")]
    [InlineData(ScriptMode.Hang, "timeout")]
    public async Task Garbage_html_and_hanging_servers_are_counted_by_reason_and_the_agent_keeps_serving(ScriptMode mode, string reason)
    {
        await using var server = await ScriptedVllmServer.StartAsync();
        await using var agent = await StartAgentAsync(server);
        await agent.WaitForSnapshotAsync(s => s.GetProperty("valid").GetBoolean(), "a valid window");

        server.Mode = mode;
        var doc = await agent.WaitForMetricsAsync(
            d => d.Samples("sol_source_errors_total").Any(s => s.LabelValue("source") == "serving" && s.LabelValue("reason") == reason && s.Value >= 1),
            $"an error counted as {reason}");
        Assert.Equal(0, Value(doc, "sol_source_up", ("source", "serving")));
        Assert.False(doc.Contains("sol_gap_seconds"));

        server.Mode = ScriptMode.Healthy;
        await agent.WaitForMetricsAsync(d => d.Contains("sol_gap_seconds"), "recovery on the next good scrape");
    }

    [Fact]
    public async Task A_step_faster_than_the_sol_is_published_as_measured_and_flagged()
    {
        await using var server = await ScriptedVllmServer.StartAsync();
        server.StepSeconds = 0.001; // Llama-70B on 8 x H100 cannot decode 32 sequences in 1 ms
        await using var agent = await StartAgentAsync(server);

        var snapshot = await agent.WaitForSnapshotAsync(s => s.GetProperty("valid").GetBoolean(), "a valid window");
        var doc = await agent.MetricsAsync();

        Assert.True(Value(doc, "sol_efficiency_ratio") > 1);
        Assert.True(Value(doc, "sol_gap_seconds", ("cause", "unattributed")) < 0);
        Assert.Contains(snapshot.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("likely wrong", StringComparison.Ordinal));
    }

    [Trait("Category", "Fault")]
    [Trait("Agent", AgentUnderTest.InProcess)] // the fault goes in through the back door of this process's stand-in
    [Fact]
    public async Task A_failing_gpu_library_takes_only_the_gpu_series_down()
    {
        await using var server = await ScriptedVllmServer.StartAsync();
        await using var agent = await StartAgentAsync(server);
        await agent.WaitForMetricsAsync(d => d.Contains("sol_gpu_power_watts") && d.Contains("sol_gap_seconds"), "GPU series");

        NvmlStandIn.InjectError("nvmlDeviceGetCount_v2", -1, 999); // NVML_ERROR_UNKNOWN on every call
        var doc = await agent.WaitForMetricsAsync(d => d.Samples("sol_source_up").Any(s => s.LabelValue("source") == "gpu" && s.Value == 0), "GPU down");
        Assert.False(doc.Contains("sol_gpu_power_watts"));
        Assert.Contains(doc.Samples("sol_source_errors_total"), s => s.LabelValue("source") == "gpu" && s.LabelValue("reason") == "unavailable" && s.Value >= 1);

        // The serving side still measures; without GPU activity the whole gap is unattributed.
        var snapshot = await agent.WaitForSnapshotAsync(
            s => s.GetProperty("valid").GetBoolean() && s.GetProperty("warnings").EnumerateArray().Any(w => w.GetString()!.StartsWith("GPU source down", StringComparison.Ordinal)),
            "a valid window with the GPU down");
        var gap = snapshot.GetProperty("gap");
        Assert.Equal(gap.GetProperty("gapSeconds").GetDouble(), gap.GetProperty("causes").GetProperty("unattributed").GetDouble(), 1e-12);

        NvmlStandIn.InjectError("nvmlDeviceGetCount_v2", -1, 0, 0);
        await agent.WaitForMetricsAsync(d => d.Samples("sol_source_up").Any(s => s.LabelValue("source") == "gpu" && s.Value == 1), "GPU back");
    }

    [Trait("Category", "Fault")]
    [Fact]
    public async Task A_missing_gpu_library_leaves_the_agent_up_and_says_so()
    {
        await using var server = await ScriptedVllmServer.StartAsync();
        await using var agent = await AgentUnderTest.StartAsync(
            ("model", "llama-3.1-70b"), ("gpu", "h100-sxm"), ("tp", "8"), ("gpuSource:backend", "nvml"),
            ("gpuSource:library", "/nonexistent/libnvidia-ml.so.1"), ("serving:url", server.MetricsUrl.ToString()));

        var doc = await agent.WaitForMetricsAsync(
            d => d.Contains("sol_gap_seconds") && d.Samples("sol_source_errors_total").Any(s => s.LabelValue("source") == "gpu" && s.Value >= 1), "a gap without GPU telemetry");

        Assert.Equal(0, Value(doc, "sol_source_up", ("source", "gpu")));
        Assert.False(doc.Contains("sol_gpu_power_watts"));
        var snapshot = await agent.SnapshotAsync();
        var gpu = snapshot.GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("source").GetString() == "gpu");
        Assert.Contains("/nonexistent/libnvidia-ml.so.1", gpu.GetProperty("lastError").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gpu_the_catalog_does_not_know_is_named_in_the_reason()
    {
        await using var server = await ScriptedVllmServer.StartAsync();
        NvmlStandIn.Reset();
        for (uint i = 0; i < 8; i++)
        {
            NvmlStandIn.SetDeviceName(i, "NVIDIA Mystery Accelerator");
        }

        await using var unknown = await AgentUnderTest.StartAsync(
            ("model", "llama-3.1-70b"), ("tp", "8"), ("gpuSource:backend", "nvml"), ("gpuSource:library", NvmlStandIn.LibraryPath),
            ("serving:url", server.MetricsUrl.ToString()));

        var snapshot = await unknown.WaitForSnapshotAsync(
            s => s.GetProperty("invalidReason").GetString()?.Contains("is not in the GPU catalog", StringComparison.Ordinal) == true,
            "the unknown GPU named");

        Assert.Contains("NVIDIA Mystery Accelerator", snapshot.GetProperty("invalidReason").GetString(), StringComparison.Ordinal);
        Assert.Contains("--gpu", snapshot.GetProperty("invalidReason").GetString(), StringComparison.Ordinal);
    }

    [PromtoolFact]
    public async Task Promtool_finds_nothing_to_lint_in_metrics_whether_the_window_is_valid_or_not()
    {
        await using var server = await ScriptedVllmServer.StartAsync();
        await using var agent = await StartAgentAsync(server);
        await agent.WaitForMetricsAsync(d => d.Contains("sol_gap_seconds") && d.Contains("sol_gpu_power_watts"), "a full scrape");
        var valid = await agent.Http.GetStringAsync(new Uri("metrics", UriKind.Relative));

        await server.StopAsync();
        await agent.WaitForMetricsAsync(d => !d.Contains("sol_gap_seconds"), "a scrape without the gap");
        var invalid = await agent.Http.GetStringAsync(new Uri("metrics", UriKind.Relative));

        foreach (var body in new[] { valid, invalid })
        {
            var (code, output) = await Promtool.CheckMetricsAsync(body);
            Assert.True(code == 0 && string.IsNullOrWhiteSpace(output), $"promtool check metrics: exit {code}\n{output}");

            // solprof check-metrics agrees with promtool on the same body.
            var report = MetricsCheck.Run(body, "text/plain; version=0.0.4");
            Assert.True(!report.HasErrors && report.Warnings.Count == 0, Describe(report));
        }
    }

    [Theory]
    [InlineData("text/plain; version=0.0.4", ExpositionFormat.PrometheusText004)]
    [InlineData("application/openmetrics-text; version=1.0.0", ExpositionFormat.OpenMetrics100)]
    public async Task The_agents_metrics_pass_check_metrics_in_both_formats(string accept, ExpositionFormat expected)
    {
        await using var server = await ScriptedVllmServer.StartAsync();
        await using var agent = await StartAgentAsync(server);
        await agent.WaitForMetricsAsync(d => d.Contains("sol_gap_seconds") && d.Contains("sol_gpu_power_watts"), "a full scrape");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("metrics", UriKind.Relative));
        request.Headers.TryAddWithoutValidation("Accept", accept);
        using var response = await agent.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var contentType = response.Content.Headers.ContentType?.ToString();
        var body = await response.Content.ReadAsStringAsync();

        var report = MetricsCheck.Run(body, contentType);
        Assert.Equal(expected, report.Format);
        Assert.True(report.Series > 50, $"{report.Series} series");
        Assert.True(!report.HasErrors && report.Warnings.Count == 0, $"{contentType}: {Describe(report)}");
    }

    [Fact]
    public async Task Metrics_answer_get_and_head_and_refuse_other_methods()
    {
        await using var server = await ScriptedVllmServer.StartAsync();
        await using var agent = await StartAgentAsync(server);
        var metrics = new Uri("metrics", UriKind.Relative);

        using var head = await agent.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, metrics));
        using var post = await agent.Http.PostAsync(metrics, new StringContent(""));
        using var delete = await agent.Http.DeleteAsync(metrics);

        Assert.Equal(System.Net.HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.MethodNotAllowed, delete.StatusCode);
        Assert.Contains("GET", post.Content.Headers.Allow);
    }

    private static string Describe(MetricsCheckReport report) =>
        $"line errors: [{string.Join("; ", report.LineErrors)}]; problems: [{string.Join("; ", report.Problems)}]; warnings: [{string.Join("; ", report.Warnings.Select(w => $"{w.Metric}: {w.Message}"))}]";
}
