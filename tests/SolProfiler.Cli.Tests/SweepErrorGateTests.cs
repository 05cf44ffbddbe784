using SolProfiler.Cli.Sweep;

namespace SolProfiler.Cli.Tests;

/// <summary>A level over <c>--efficiency-max-error-ratio</c> publishes its errors but no efficiency or Pareto gap.</summary>
public sealed class SweepErrorGateTests
{
    private static SweepLevelResult Level(int requests, int errors) => new()
    {
        Concurrency = 4,
        DurationSeconds = 10,
        Requests = requests,
        Completed = requests - errors,
        Errors = errors,
        ErrorReasons = errors > 0 ? new Dictionary<string, int> { ["http_status"] = errors } : new Dictionary<string, int>(),
        HttpStatuses = errors > 0 ? new Dictionary<string, int> { ["503"] = errors } : new Dictionary<string, int>(),
        OutputTokensPerSecond = 100,
        Efficiency = 0.4,
        ParetoGapRatio = 0.3,
        SolTokensPerSecondPerGpuAtMeasuredInteractivity = 250,
    };

    [Fact]
    public void A_level_within_the_limit_is_published_unchanged()
    {
        var level = Level(100, 5);
        Assert.Same(level, SweepRunner.WithholdIfTooManyErrors(level, SweepSettings.DefaultEfficiencyMaxErrorRatio));
    }

    [Fact]
    public void A_level_over_the_limit_keeps_its_errors_and_measurements_but_no_efficiency()
    {
        var gated = SweepRunner.WithholdIfTooManyErrors(Level(100, 6), 0.05);

        Assert.Null(gated.Efficiency);
        Assert.Null(gated.ParetoGapRatio);
        Assert.Null(gated.SolTokensPerSecondPerGpuAtMeasuredInteractivity);
        Assert.Equal(6, gated.Errors);
        Assert.Equal(100, gated.OutputTokensPerSecond);
        Assert.Equal("6 of 100 requests failed (6 %), over the 5 % limit (--efficiency-max-error-ratio)", gated.EfficiencyWithheld);
    }

    [Fact]
    public void The_table_says_withheld_and_why_and_counts_errors_by_class()
    {
        var gated = SweepRunner.WithholdIfTooManyErrors(Level(100, 6), 0.05);
        var result = new SweepResult(SweepResult.KindName, 1, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "http://x/v1", "m",
            new SweepConfiguration("m", "g", 1, 1, 1, 1, null, null, null, 1),
            new SweepSettingsRecord([4], 10, null, 0, 16, 4, null, null, "t", 0.5), false, null, [gated], []);
        using var output = new StringWriter();

        SweepTable.Render(output, result);

        var text = string.Join(' ', System.Text.RegularExpressions.Regex.Replace(output.ToString(), "\u001b\\[[0-9;]*m", "").Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)); // without colours; the console may wrap long lines
        Assert.Contains("withheld", text, StringComparison.Ordinal);
        Assert.Contains("concurrency 4: no efficiency or Pareto gap: 6 of 100 requests failed (6 %), over the 5 % limit (--efficiency-max-error-ratio)", text, StringComparison.Ordinal);
        Assert.Contains("concurrency 4: 6 errors: 6 http_status (HTTP 503 x6)", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_option_is_checked()
    {
        var run = await Cli.Run("sweep", "--endpoint", "http://127.0.0.1:1/v1", "--model", "m", "--sol-model", "llama-3.1-8b", "--gpu", "h100-sxm", "--efficiency-max-error-ratio", "1.5");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--efficiency-max-error-ratio 1.5 must be between 0 and 1", run.Stderr, StringComparison.Ordinal);
    }
}
