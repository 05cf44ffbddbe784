using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace SolProfiler.Agent.Tests.Dashboards;

/// <summary>The checked-in Grafana files under dashboards/grafana, found from the repository root.</summary>
internal static class DashboardFiles
{
    public static string GrafanaDirectory => Path.Combine(RepositoryRoot(), "dashboards", "grafana");

    public static IReadOnlyList<string> DashboardPaths =>
        Directory.GetFiles(Path.Combine(GrafanaDirectory, "dashboards"), "*.json").Order(StringComparer.Ordinal).ToArray();

    /// <summary>Every dashboard file, parsed; a file that is not a JSON object fails the test that asks.</summary>
    public static IReadOnlyList<(string Name, JsonObject Json)> Load() =>
        DashboardPaths.Select(path => (Path.GetFileName(path), JsonNode.Parse(File.ReadAllText(path)) as JsonObject
            ?? throw new InvalidDataException(path + " is not a JSON object"))).ToArray();

    private static string RepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        // From the test binaries up to SolProfiler.sln; with --artifacts-path outside the tree, from this source file.
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SolProfiler.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        Assert.Fail("SolProfiler.sln not found above " + AppContext.BaseDirectory + " or " + sourceFile);
        return "";
    }
}
