using System.Text.Json;
using System.Text.RegularExpressions;

namespace SolProfiler.Agent.Tests.EndToEnd;

/// <summary>Every PromQL query of the Grafana dashboards, with Grafana's variables replaced as Grafana would.</summary>
internal static partial class DashboardQueries
{
    public static IReadOnlyList<(string Dashboard, string Panel, string Expr)> All(string root)
    {
        var folder = Path.Combine(root, "dashboards", "grafana", "dashboards");
        Assert.True(Directory.Exists(folder), $"{folder} does not exist");
        var found = new List<(string, string, string)>();
        foreach (var file in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            Collect(Path.GetFileName(file), doc.RootElement, found);
        }

        return found;
    }

    private static void Collect(string dashboard, JsonElement node, List<(string, string, string)> found)
    {
        if (node.ValueKind == JsonValueKind.Object)
        {
            if (node.TryGetProperty("targets", out var targets) && targets.ValueKind == JsonValueKind.Array)
            {
                var title = node.TryGetProperty("title", out var t) ? t.GetString() ?? "" : "";
                foreach (var target in targets.EnumerateArray())
                {
                    if (target.TryGetProperty("expr", out var expr) && expr.GetString() is { Length: > 0 } text)
                    {
                        found.Add((dashboard, title, Substitute(text)));
                    }
                }
            }

            foreach (var property in node.EnumerateObject())
            {
                if (property.Name != "targets")
                {
                    Collect(dashboard, property.Value, found);
                }
            }
        }
        else if (node.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in node.EnumerateArray())
            {
                Collect(dashboard, item, found);
            }
        }
    }

    /// <summary>
    /// Grafana's built-in intervals become a few scrape intervals (the test scrapes every second); template
    /// variables match everything, as "All" would.
    /// </summary>
    public static string Substitute(string expr)
    {
        var s = expr.Replace("$__rate_interval", "10s", StringComparison.Ordinal)
            .Replace("${__rate_interval}", "10s", StringComparison.Ordinal)
            .Replace("$__interval", "5s", StringComparison.Ordinal)
            .Replace("$__range", "1m", StringComparison.Ordinal);
        return Variable().Replace(s, ".*");
    }

    [GeneratedRegex(@"\$\{[A-Za-z_][A-Za-z0-9_]*(:[a-z]+)?\}|\$[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex Variable();
}
