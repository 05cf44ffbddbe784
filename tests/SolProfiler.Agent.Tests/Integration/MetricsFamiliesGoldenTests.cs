using SolProfiler.Testing;

namespace SolProfiler.Agent.Tests.Integration;

/// <summary>
/// The /metrics contract: every family the agent publishes in demo mode once a window is valid, with its TYPE and
/// HELP, against a golden file. Values and label values vary; the family list is what dashboards and alerts rest on.
/// </summary>
public sealed class MetricsFamiliesGoldenTests
{
    [Fact]
    public async Task The_metric_families_with_help_and_type_are_the_golden_list()
    {
        await using var agent = await AgentUnderTest.StartAsync(
            [("demo", "true"), ("window", "3s"), ("demoSettings:fixedBatch", "16"),
             ("demoSettings:nvmlLibraryPath", NvmlStandIn.LibraryPath)]);
        await agent.WaitForSnapshotAsync(s => s.GetProperty("valid").GetBoolean(), "a valid window", seconds: 30);

        var body = await agent.Http.GetStringAsync(new Uri("metrics", UriKind.Relative));
        var families = body.Split('\n')
            .Where(l => l.StartsWith("# HELP ", StringComparison.Ordinal) || l.StartsWith("# TYPE ", StringComparison.Ordinal))
            .Select(l => (Name: l.Split(' ')[2], Line: l))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ThenBy(f => f.Line.StartsWith("# TYPE", StringComparison.Ordinal) ? 0 : 1)
            .Select(f => f.Line);

        Golden.Verify("metrics-families-demo.txt", string.Join('\n', families));
    }
}
