using SolProfiler.Agent.Tests.Integration;

namespace SolProfiler.Agent.Tests.Dashboards;

/// <summary>Every metric name the dashboards query is one a real agent (demo mode, in this process) exports.</summary>
[Collection(NativeStandInGroup.Name)]
public sealed class DashboardMetricNamesTests
{
    private static readonly string[] Awaited =
        ["sol_gap_seconds", "sol_frontier_tokens_per_second_per_gpu", "sol_gpu_nvlink_bytes_total", "sol_source_up"];

    [Fact]
    public async Task Every_metric_in_the_dashboards_is_exported_by_the_demo_agent()
    {
        // The stand-in found from the sources, so that an --artifacts-path outside the tree works too.
        NvmlStandIn.Reset();
        await using var agent = await AgentUnderTest.StartAsync(
            ("demo", "true"), ("model", "llama-3.1-70b"), ("gpu", "auto"), ("tp", "8"), ("weights", "fp8"), ("kv", "fp8"), ("activations", "fp8"), ("window", "3s"),
            ("demoSettings:nvmlLibraryPath", NvmlStandIn.LibraryPath));
        var doc = await agent.WaitForMetricsAsync(d => Awaited.All(d.Contains), "the window's families", seconds: 40);
        var exported = doc.Families.Keys.Concat(doc.SampleNames).ToHashSet(StringComparer.Ordinal);

        var referenced = Referenced();
        Assert.Contains("sol_efficiency_ratio", referenced.Keys);
        var unknown = referenced.Where(r => !exported.Contains(r.Key)).Select(r => $"{r.Key} ({r.Value})").ToArray();
        Assert.True(unknown.Length == 0, "not exported by the agent: " + string.Join("; ", unknown));
    }

    [Fact]
    public void A_typo_in_a_query_is_an_unknown_metric()
    {
        var exported = new HashSet<string>(["sol_efficiency_ratio", "sol_gpu_energy_joules_total"], StringComparer.Ordinal);
        var names = PromQl.MetricNames("rate(sol_gpu_energy_joule_total{instance=~\"$instance\"}[$__rate_interval]) / sol_efficiency_ratio");
        Assert.Equal(["sol_efficiency_ratio", "sol_gpu_energy_joule_total"], names.Order(StringComparer.Ordinal));
        Assert.Equal(["sol_gpu_energy_joule_total"], names.Where(n => !exported.Contains(n)));
    }

    [Theory]
    [InlineData("sol_source_up{kind=\"sol_not_a_metric\"}", "sol_source_up")]
    [InlineData("label_values(sol_info, instance)", "sol_info")]
    [InlineData("sol_model_bound_info==1", "sol_model_bound_info")]
    [InlineData("sum by (instance) (sol_gpu_dram_active_ratio)", "sol_gpu_dram_active_ratio")]
    public void Metric_names_come_from_selectors_not_label_values(string expr, string name) =>
        Assert.Equal([name], PromQl.MetricNames(expr));

    /// <summary>Each metric name the dashboards reference, with one place that references it.</summary>
    private static Dictionary<string, string> Referenced()
    {
        var referenced = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (file, dashboard) in DashboardFiles.Load())
        {
            foreach (var (where, expr) in DashboardModel.Queries(dashboard))
            {
                foreach (var name in PromQl.MetricNames(expr))
                {
                    referenced.TryAdd(name, $"{file} {where}");
                }
            }
        }

        return referenced;
    }
}
