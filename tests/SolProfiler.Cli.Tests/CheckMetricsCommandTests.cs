using System.Text.Json.Nodes;

namespace SolProfiler.Cli.Tests;

/// <summary><c>solprof check-metrics</c>: verdicts, the JSON contract and the exit codes (0 clean, 1 errors, 2 usage).</summary>
public sealed class CheckMetricsCommandTests
{
    private const string Clean = """
        # HELP requests_total Requests served.
        # TYPE requests_total counter
        requests_total 3
        # HELP queue_depth Requests waiting.
        # TYPE queue_depth gauge
        queue_depth 1

        """;

    [Fact]
    public async Task A_clean_body_exits_0_with_nothing_to_say_but_its_summary()
    {
        using var temp = new TempFolder();
        var run = await Cli.Run("check-metrics", temp.Write("clean.prom", Clean));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("prometheus-text-0.0.4: 2 series, 0 malformed line(s), 0 problem(s), 0 warning(s)", run.Stdout.Trim());
    }

    [Fact]
    public async Task Errors_problems_and_warnings_are_listed_apart_with_their_lines_and_exit_1()
    {
        // line 7: a float timestamp (text format: integer milliseconds); h has no +Inf bucket; latency_ms has no HELP,
        // an abbreviated unit and a counter without _total.
        using var temp = new TempFolder();
        var path = temp.Write("bad.prom", Clean + """
            # TYPE latency_ms counter
            latency_ms 4 2.72
            # HELP h A histogram.
            # TYPE h histogram
            h_bucket{le="1"} 1
            h_sum 1
            h_count 1

            """);
        var run = await Cli.Run("check-metrics", path, "--format", "json");
        Assert.True(run.ExitCode == 1, run.ToString());
        var json = Assert.IsType<JsonObject>(JsonNode.Parse(run.Stdout));
        Assert.Equal("prometheus-text-0.0.4", (string?)json["format"]);
        var lineError = Assert.Single(json["lineErrors"]!.AsArray())!;
        Assert.Equal(8, (int)lineError["line"]!);
        Assert.Contains("integer of milliseconds", (string?)lineError["message"], StringComparison.Ordinal);
        Assert.Contains("+Inf", (string?)Assert.Single(json["problems"]!.AsArray())!["message"], StringComparison.Ordinal);
        var warnings = json["warnings"]!.AsArray().Select(w => $"{w!["metric"]}: {w["message"]}").ToArray();
        Assert.Contains("latency_ms: no help text", warnings);
        Assert.Contains("latency_ms: metric names should not contain abbreviated units", warnings);
        Assert.Equal(5, (int)json["series"]!);

        var text = await Cli.Run("check-metrics", path);
        Assert.Equal(1, text.ExitCode);
        Assert.Contains("error: line 8: timestamp must be an integer of milliseconds", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("problem: line ", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("warning: latency_ms: no help text", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_output_keeps_plus_signs_and_quotes_readable()
    {
        using var temp = new TempFolder();
        var path = temp.Write("no-inf.prom", "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n");

        var run = await Cli.Run("check-metrics", path, "--format", "json");

        Assert.Contains("no le=\\\"+Inf\\\" bucket", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u00", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Warnings_alone_exit_0()
    {
        using var temp = new TempFolder();
        var run = await Cli.Run("check-metrics", temp.Write("lint.prom", "# TYPE requestCount gauge\nrequestCount 1\n"));
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("warning: requestCount: metric names should be written in 'snake_case' not 'camelCase'", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_content_type_flag_forces_the_format()
    {
        // The same line is an error in the text format (float timestamp) and valid OpenMetrics (seconds).
        using var temp = new TempFolder();
        var path = temp.Write("ts.prom", "# HELP a A gauge.\n# TYPE a gauge\na 1 2.72\n# EOF\n");
        var openMetrics = await Cli.Run("check-metrics", path, "--content-type", "application/openmetrics-text; version=1.0.0", "-f", "json");
        Assert.True(openMetrics.ExitCode == 0, openMetrics.ToString());
        Assert.Equal("openmetrics-1.0.0", (string?)JsonNode.Parse(openMetrics.Stdout)!["format"]);

        var text = await Cli.Run("check-metrics", path, "--content-type", "text/plain; version=0.0.4");
        Assert.Equal(1, text.ExitCode);
        Assert.Contains("integer of milliseconds", text.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("check-metrics")]
    [InlineData("check-metrics", "/nonexistent/metrics.prom")]
    [InlineData("check-metrics", "x.prom", "--format", "csv")]
    [InlineData("check-metrics", "x.prom", "--content-type", "not a media type")]
    public async Task Bad_usage_exits_2_with_one_line(params string[] args)
    {
        var run = await Cli.Run(args);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_url_exits_1_with_its_reason()
    {
        var run = await Cli.Run("check-metrics", "http://127.0.0.1:1/metrics", "--timeout", "2s");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: cannot fetch http://127.0.0.1:1/metrics", run.Stderr, StringComparison.Ordinal);
    }
}
