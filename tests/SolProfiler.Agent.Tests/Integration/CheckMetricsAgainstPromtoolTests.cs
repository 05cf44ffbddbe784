using SolProfiler.Agent.Tests.EndToEnd;
using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Agent.Tests.Integration;

/// <summary>
/// <c>solprof check-metrics</c>'s lint against promtool's own on bodies nobody on the project wrote: the real
/// llama-server captures (Telemetry.Tests/Fixtures/llamacpp), whose <c>llamacpp:</c> names promtool flags. Same
/// metrics, same messages.
/// </summary>
public sealed class CheckMetricsAgainstPromtoolTests
{
    public static TheoryData<string> Captures()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(FixtureDirectory(), "capture-*.prom").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    private static string FixtureDirectory() => Path.Combine(RepositoryPaths.Root(), "tests", "SolProfiler.Telemetry.Tests", "Fixtures", "llamacpp");

    [PromtoolTheory]
    [MemberData(nameof(Captures))]
    public async Task The_lint_of_a_real_llama_server_body_is_promtools(string capture)
    {
        var body = await File.ReadAllTextAsync(Path.Combine(FixtureDirectory(), capture));
        var (_, output) = await Promtool.CheckMetricsAsync(body);

        // promtool prints "<metric> <message>" per finding.
        var theirs = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal).ToArray();
        var report = MetricsCheck.Run(body, "text/plain; version=0.0.4");
        var ours = report.Warnings
            .Select(w => $"{w.Metric} {w.Message}")
            .Order(StringComparer.Ordinal).ToArray();

        Assert.False(report.HasErrors, string.Join("; ", report.LineErrors.Concat(report.Problems)));
        Assert.NotEmpty(theirs);
        Assert.Equal(theirs, ours);
    }
}
