using System.Diagnostics;
using System.Runtime.CompilerServices;
using SolProfiler.Agent.Tests.Integration;

namespace SolProfiler.Agent.Tests.Prometheus;

/// <summary>
/// dashboards/prometheus/ checked by promtool: the config (with the rule files it names), the rules, and the rules' unit
/// tests (every alert fires on its condition, and the regression alert does not fire when only the load changes).
/// </summary>
public sealed class PromtoolRulesTests
{
    private static readonly string PrometheusFolder = Path.Combine(FindRepositoryRoot(), "dashboards", "prometheus");

    [PromtoolFact]
    public async Task Check_config_accepts_prometheus_yml_and_the_rule_files_it_names()
    {
        await AssertPromtoolSucceedsAsync("check", "config", "prometheus.yml");
    }

    [PromtoolFact]
    public async Task Check_rules_accepts_the_recording_and_alert_rules()
    {
        await AssertPromtoolSucceedsAsync("check", "rules", "rules/solprof-recording.yml", "rules/solprof-alerts.yml");
    }

    [PromtoolFact]
    public async Task Test_rules_passes_the_unit_tests_of_every_alert()
    {
        var tests = Directory.GetFiles(Path.Combine(PrometheusFolder, "tests"), "*.yml")
            .Select(path => Path.GetRelativePath(PrometheusFolder, path))
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.NotEmpty(tests);
        await AssertPromtoolSucceedsAsync(["test", "rules", .. tests]);
    }

    private static async Task AssertPromtoolSucceedsAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Promtool.Path!)
        {
            WorkingDirectory = PrometheusFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"promtool {string.Join(' ', arguments)}: exit {process.ExitCode}\n{output}");
    }

    /// <summary>The folder holding SolProfiler.sln, searched upwards from the test binaries and from this source file.</summary>
    internal static string FindRepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) })
        {
            for (var directory = start is null ? null : new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "SolProfiler.sln")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException($"SolProfiler.sln not found above {AppContext.BaseDirectory} or {sourceFile}");
    }
}
