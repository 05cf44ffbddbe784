using System.Text.Json.Nodes;

namespace SolProfiler.Agent.Tests.Dashboards;

/// <summary>Walks a Grafana dashboard's JSON model: panels (rows' nested panels included), targets and variables.</summary>
internal static class DashboardModel
{
    public static IEnumerable<JsonObject> Panels(JsonObject dashboard) => Flatten(dashboard["panels"] as JsonArray);

    /// <summary>Panels that draw data (rows only group them).</summary>
    public static IEnumerable<JsonObject> DataPanels(JsonObject dashboard) =>
        Panels(dashboard).Where(p => (string?)p["type"] != "row");

    public static IEnumerable<JsonObject> Targets(JsonObject panel) =>
        (panel["targets"] as JsonArray ?? []).OfType<JsonObject>();

    public static IEnumerable<JsonObject> Variables(JsonObject dashboard) =>
        (dashboard["templating"]?["list"] as JsonArray ?? []).OfType<JsonObject>();

    /// <summary>Every PromQL expression: the targets' <c>expr</c> and the query variables' queries, with where each is.</summary>
    public static IEnumerable<(string Where, string Expr)> Queries(JsonObject dashboard)
    {
        foreach (var panel in DataPanels(dashboard))
        {
            foreach (var target in Targets(panel))
            {
                yield return ($"panel {panel["id"]} '{panel["title"]}' target {target["refId"]}", (string?)target["expr"] ?? "");
            }
        }

        foreach (var variable in Variables(dashboard).Where(v => (string?)v["type"] == "query"))
        {
            var query = variable["query"] is JsonObject q ? (string?)q["query"] : (string?)variable["query"];
            yield return ($"variable {variable["name"]}", query ?? "");
        }
    }

    /// <summary>The data source uid a panel, target or variable names, or null.</summary>
    public static string? DatasourceUid(JsonObject node) => node["datasource"] switch
    {
        JsonObject ds => (string?)ds["uid"],
        JsonValue value => (string?)value,
        _ => null,
    };

    private static IEnumerable<JsonObject> Flatten(JsonArray? panels)
    {
        foreach (var panel in (panels ?? []).OfType<JsonObject>())
        {
            yield return panel;
            foreach (var nested in Flatten(panel["panels"] as JsonArray))
            {
                yield return nested;
            }
        }
    }
}
