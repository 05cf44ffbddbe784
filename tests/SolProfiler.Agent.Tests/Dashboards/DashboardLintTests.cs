using System.Text.Json;
using System.Text.Json.Nodes;

namespace SolProfiler.Agent.Tests.Dashboards;

/// <summary>
/// The rules of grafana/dashboard-linter that matter here, over the checked-in JSON (no Grafana server needed):
/// identity, the datasource variable everywhere, units, rate windows, variables. The metric names are checked
/// against a live agent in <see cref="DashboardMetricNamesTests"/>.
/// </summary>
public sealed class DashboardLintTests
{
    private const string Datasource = "${datasource}";

    public static TheoryData<string> Files() => new(DashboardFiles.DashboardPaths.Select(Path.GetFileName).OfType<string>());

    private static JsonObject Dashboard(string file) => DashboardFiles.Load().Single(d => d.Name == file).Json;

    [Fact]
    public void Both_dashboards_are_there_and_every_file_is_valid_json()
    {
        var names = DashboardFiles.DashboardPaths.Select(Path.GetFileName).ToArray();
        Assert.Contains("solprof-overview.json", names);
        Assert.Contains("solprof-gpu.json", names);
        Assert.All(DashboardFiles.DashboardPaths, path =>
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
        });
    }

    [Fact]
    public void Dashboard_uids_are_fixed_and_unique()
    {
        var uids = DashboardFiles.Load().ToDictionary(d => d.Name, d => (string?)d.Json["uid"]);
        Assert.Equal("solprof-overview", uids["solprof-overview.json"]);
        Assert.Equal("solprof-gpu", uids["solprof-gpu.json"]);
        Assert.Equal(uids.Count, uids.Values.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Identity_and_schema_version_are_pinned(string file)
    {
        var dashboard = Dashboard(file);
        Assert.Equal(39, (int?)dashboard["schemaVersion"]);
        Assert.Null(dashboard["id"]);
        Assert.False(dashboard.ContainsKey("__inputs"), "__inputs only works through the import dialog, not provisioning");
        Assert.DoesNotContain("DS_PROMETHEUS", dashboard.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("solprof", (dashboard["tags"] as JsonArray ?? []).Select(t => (string?)t));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Panel_ids_are_unique(string file)
    {
        var ids = DashboardModel.Panels(Dashboard(file)).Select(p => (int?)p["id"]).ToArray();
        Assert.All(ids, id => Assert.NotNull(id));
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_panel_and_target_uses_the_datasource_variable(string file)
    {
        var dashboard = Dashboard(file);
        var variable = Assert.Single(DashboardModel.Variables(dashboard), v => (string?)v["type"] == "datasource");
        Assert.Equal(("datasource", "Data source", "prometheus"), ((string?)variable["name"], (string?)variable["label"], (string?)variable["query"]));

        Assert.All(DashboardModel.DataPanels(dashboard), panel =>
        {
            Assert.True(DashboardModel.DatasourceUid(panel) == Datasource, $"panel '{panel["title"]}' datasource {panel["datasource"]?.ToJsonString()}");
            Assert.NotEmpty(DashboardModel.Targets(panel));
            Assert.All(DashboardModel.Targets(panel), target =>
                Assert.True(DashboardModel.DatasourceUid(target) == Datasource, $"panel '{panel["title"]}' target {target["refId"]}"));
        });
        Assert.All(DashboardModel.Variables(dashboard).Where(v => (string?)v["type"] == "query"), v =>
            Assert.True(DashboardModel.DatasourceUid(v) == Datasource, $"variable {v["name"]}"));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_panel_has_a_unit(string file) =>
        Assert.All(DashboardModel.DataPanels(Dashboard(file)), panel =>
            Assert.False(string.IsNullOrWhiteSpace((string?)panel["fieldConfig"]?["defaults"]?["unit"]), $"panel '{panel["title"]}' has no unit"));

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_rate_and_increase_uses_the_rate_interval(string file) =>
        Assert.All(DashboardModel.Queries(Dashboard(file)), q =>
            Assert.True(PromQl.RateWindowViolations(q.Expr).Count == 0, $"{q.Where}: {string.Join(", ", PromQl.RateWindowViolations(q.Expr))} in {q.Expr}"));

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_query_filters_by_instance(string file) =>
        Assert.All(DashboardModel.Queries(Dashboard(file)).Where(q => !q.Where.StartsWith("variable instance", StringComparison.Ordinal)), q =>
            Assert.True(q.Expr.Contains("instance=~\"$instance\"", StringComparison.Ordinal), $"{q.Where}: {q.Expr}"));

    [Theory]
    [MemberData(nameof(Files))]
    public void Variables_refresh_on_time_range_change(string file)
    {
        var names = DashboardModel.Variables(Dashboard(file)).Select(v => (string?)v["name"]).ToArray();
        Assert.Contains("instance", names);
        Assert.Contains("model", names);
        Assert.All(DashboardModel.Variables(Dashboard(file)).Where(v => (string?)v["type"] == "query"), v => Assert.Equal(2, (int?)v["refresh"]));
    }

    [Fact]
    public void The_gpu_dashboard_has_a_gpu_variable() =>
        Assert.Contains(DashboardModel.Variables(Dashboard("solprof-gpu.json")), v => (string?)v["name"] == "gpu");

    [Fact]
    public void Provisioning_points_at_the_prometheus_datasource_and_the_dashboard_folder()
    {
        var datasource = File.ReadAllText(Path.Combine(DashboardFiles.GrafanaDirectory, "provisioning", "datasources", "prometheus.yml"));
        Assert.Contains("name: Prometheus", datasource, StringComparison.Ordinal);
        Assert.Contains("uid: prometheus", datasource, StringComparison.Ordinal);
        Assert.Contains("url: http://prometheus:9090", datasource, StringComparison.Ordinal);
        Assert.Contains("isDefault: true", datasource, StringComparison.Ordinal);
        var provider = File.ReadAllText(Path.Combine(DashboardFiles.GrafanaDirectory, "provisioning", "dashboards", "solprof.yml"));
        Assert.Contains("type: file", provider, StringComparison.Ordinal);
        Assert.Contains("path: /var/lib/grafana/dashboards", provider, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rate(sol_x_total{a=\"b\"}[$__rate_interval])", 0)]
    [InlineData("sum by (gpu) (increase(sol_x_total[5m]))", 1)]
    [InlineData("irate(sol_x_total[1m]) + rate(sol_y_total[$__rate_interval])", 1)]
    public void The_rate_window_check_finds_fixed_windows(string expr, int violations) =>
        Assert.Equal(violations, PromQl.RateWindowViolations(expr).Count);
}
