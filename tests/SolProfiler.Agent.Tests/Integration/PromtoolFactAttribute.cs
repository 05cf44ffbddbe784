namespace SolProfiler.Agent.Tests.Integration;

/// <summary>A fact that needs Prometheus's <c>promtool</c>: skipped, with the reason, where it is not installed (CI installs it).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PromtoolFactAttribute : FactAttribute
{
    public PromtoolFactAttribute()
    {
        if (Promtool.Path is null)
        {
            Skip = "promtool not found: install the Debian package `prometheus` to check /metrics with promtool";
        }
    }
}

/// <summary>A theory that needs <c>promtool</c>, skipped like <see cref="PromtoolFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PromtoolTheoryAttribute : TheoryAttribute
{
    public PromtoolTheoryAttribute()
    {
        if (Promtool.Path is null)
        {
            Skip = "promtool not found: install the Debian package `prometheus` to compare check-metrics with promtool";
        }
    }
}

/// <summary>Runs <c>promtool check metrics</c> (the exposition linter) on a body.</summary>
internal static class Promtool
{
    public static string? Path { get; } = new[] { "/usr/bin/promtool", "/usr/local/bin/promtool" }.FirstOrDefault(File.Exists);

    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string body)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(Path!, "check metrics")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        await process.StandardInput.WriteAsync(body);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }
}
