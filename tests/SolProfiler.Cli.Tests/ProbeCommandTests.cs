using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using SolProfiler.Demo;

namespace SolProfiler.Cli.Tests;

/// <summary><c>solprof probe</c> checks <c>/v1/models</c> first, as <c>sweep</c> does.</summary>
public sealed class ProbeCommandTests
{
    private static DemoOptions Demo() => new() { BackgroundLoad = false, NvmlLibraryPath = NativeStandIn.NvmlPath, PromptTokens = 64, OutputTokens = 4 };

    [Fact]
    public async Task A_model_the_server_does_not_list_is_a_user_error_before_any_request()
    {
        await using var demo = await DemoEnvironment.StartAsync(Demo(), NullLoggerFactory.Instance);

        var run = await Cli.Run("probe", "--endpoint", demo.BaseUrl.ToString(), "--model", "not-served", "-n", "2");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--model 'not-served' is not served at", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(demo.ModelName, run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("probing", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_served_model_passes_the_check_and_is_probed()
    {
        await using var demo = await DemoEnvironment.StartAsync(Demo(), NullLoggerFactory.Instance);

        var run = await Cli.Run("probe", "--endpoint", demo.BaseUrl.ToString(), "--model", demo.ModelName, "-n", "2", "--max-tokens", "4", "--warmup", "0");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("2 ok, 0 failed", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dead_endpoint_fails_fast_with_one_line()
    {
        var port = Loopback.FreePort();
        var clock = Stopwatch.StartNew();

        var run = await Cli.Run("probe", "--endpoint", $"http://127.0.0.1:{port}", "--model", "m", "-n", "50", "--timeout", "60s");

        Assert.Equal(1, run.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), clock.Elapsed.ToString());
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith($"error: endpoint http://127.0.0.1:{port}/ is down (connect): cannot connect to 127.0.0.1:{port}", line, StringComparison.Ordinal);
        Assert.Equal("", run.Stdout);
    }
}
