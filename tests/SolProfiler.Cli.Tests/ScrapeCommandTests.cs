using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace SolProfiler.Cli.Tests;

/// <summary><c>solprof scrape</c> against saved bodies and a live endpoint on 127.0.0.1.</summary>
public sealed class ScrapeCommandTests
{
    private static string Body(int scrape) => string.Create(CultureInfo.InvariantCulture, $$"""
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running{engine="0",model_name="llama"} 16.0
        # TYPE vllm:generation_tokens_total counter
        vllm:generation_tokens_total{engine="0",model_name="llama"} {{1000 + (400 * scrape)}}.0
        # TYPE vllm:inter_token_latency_seconds histogram
        vllm:inter_token_latency_seconds_bucket{engine="0",le="0.05",model_name="llama"} {{100 * scrape}}.0
        vllm:inter_token_latency_seconds_bucket{engine="0",le="+Inf",model_name="llama"} {{100 * scrape}}.0
        vllm:inter_token_latency_seconds_sum{engine="0",model_name="llama"} {{2.0 * scrape}}
        vllm:inter_token_latency_seconds_count{engine="0",model_name="llama"} {{100 * scrape}}.0

        """);

    [Fact]
    public async Task A_saved_body_prints_the_contract()
    {
        using var temp = new TempFolder();
        var path = temp.Write("vllm.prom", Body(1));
        var run = await Cli.Run("scrape", "--file", path, "--format", "json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var engine = Assert.IsType<JsonObject>(Assert.Single(Assert.IsType<JsonArray>(JsonNode.Parse(run.Stdout))!));
        Assert.Equal("vllm", (string?)engine["server"]);
        Assert.Equal("llama", (string?)engine["model"]);
        Assert.Equal("0", (string?)engine["engine"]);
        Assert.Equal(16, (double)engine["runningRequests"]!);
        Assert.Equal(1400, (double)engine["generationTokensTotal"]!);
        Assert.Equal(2.0, (double)engine["interTokenLatency"]!["sum"]!);
        Assert.Equal(100, (double)engine["interTokenLatency"]!["count"]!);
        Assert.Equal(0, (double)engine["parseErrors"]!);
        Assert.Null(engine["waitingRequests"]); // not in the body: omitted, never zero
    }

    [Fact]
    public async Task The_step_fields_are_in_the_contract()
    {
        // The counters of a real llama-server (commit 3f545be) under 4 concurrent streams, from
        // /work/shared/llamacpp/captures/llamacpp-load-c4-1.prom.
        using var temp = new TempFolder();
        var path = temp.Write("llamacpp.prom", """
            # TYPE llamacpp:prompt_tokens_total counter
            llamacpp:prompt_tokens_total 40
            # TYPE llamacpp:prompt_tokens_cached_total counter
            llamacpp:prompt_tokens_cached_total 273
            # TYPE llamacpp:tokens_predicted_total counter
            llamacpp:tokens_predicted_total 700
            # TYPE llamacpp:tokens_predicted_seconds_total counter
            llamacpp:tokens_predicted_seconds_total 13.02
            # TYPE llamacpp:n_decode_total counter
            llamacpp:n_decode_total 547
            # TYPE llamacpp:spec_decode_num_drafts_total counter
            llamacpp:spec_decode_num_drafts_total 0
            # TYPE llamacpp:requests_processing gauge
            llamacpp:requests_processing 4
            # TYPE llamacpp:n_busy_slots_per_decode gauge
            llamacpp:n_busy_slots_per_decode 1.5649

            """);
        var run = await Cli.Run("scrape", "--file", path, "--format", "json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var engine = Assert.Single(Assert.IsType<JsonArray>(JsonNode.Parse(run.Stdout))!)!;
        Assert.Equal("llamacpp", (string?)engine["server"]);
        Assert.Equal(547, (double)engine["engineStepsTotal"]!);
        Assert.Equal(856, (double)engine["batchSequencesTotal"]!);
        Assert.Equal(40, (double)engine["promptTokensComputedTotal"]!);
        Assert.Equal(273, (double)engine["prefixCacheHitTokensTotal"]!);
        Assert.Equal(313, (double)engine["promptTokensTotal"]!);
        Assert.Equal(0, (double)engine["specDecodeDraftsTotal"]!);
        Assert.Null(engine["scheduledTokensTotal"]);

        var table = await Cli.Run("scrape", "--file", path);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("engine steps", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("sequences summed over steps", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("prompt tokens from prefix cache", table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_histogram_without_its_inf_bucket_is_shown_as_a_problem_and_the_scrape_is_still_read()
    {
        // As documentation excerpts often are: the +Inf bucket left out. One problem must not refuse the whole file.
        using var temp = new TempFolder();
        var path = temp.Write("excerpt.prom", """
            # TYPE vllm:inter_token_latency_seconds histogram
            vllm:inter_token_latency_seconds_bucket{engine="0",le="0.1",model_name="m"} 3
            vllm:inter_token_latency_seconds_sum{engine="0",model_name="m"} 0.2
            vllm:inter_token_latency_seconds_count{engine="0",model_name="m"} 4
            vllm:num_requests_running{engine="0",model_name="m"} 7

            """);
        var run = await Cli.Run("scrape", "--file", path, "--format", "json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var engine = Assert.Single(Assert.IsType<JsonArray>(JsonNode.Parse(run.Stdout))!)!;
        Assert.Equal(7, (double)engine["runningRequests"]!);
        Assert.Equal(4, (double)engine["interTokenLatency"]!["count"]!);
        Assert.Contains("+Inf", (string?)Assert.Single(engine["documentProblems"]!.AsArray()), StringComparison.Ordinal);

        var table = await Cli.Run("scrape", "--file", path);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("document problem", table.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("error:", table.Stdout + table.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_live_endpoint_over_a_window_gives_rates()
    {
        using var listener = StartListener(out var url);
        var scrapes = 0;
        var serving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                var bytes = Encoding.UTF8.GetBytes(Body(Interlocked.Increment(ref scrapes)));
                context.Response.ContentType = "text/plain; version=0.0.4";
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        });

        var run = await Cli.Run("scrape", url, "--window", "1.2s", "--interval", "300ms", "--format", "json");
        // Close, not Stop then Dispose: on Linux, Dispose after Stop binds the port again to remove the prefix, and
        // fails with "Address already in use" when another test has taken the freed port meanwhile (CI saw it).
        listener.Close();
        Assert.True(run.ExitCode == 0, run.ToString());
        var engine = Assert.Single(Assert.IsType<JsonArray>(JsonNode.Parse(run.Stdout))!)!;
        var rates = engine["rates"]!;
        Assert.True((int)rates["samples"]! >= 2, run.ToString()); // a loaded CI machine may coalesce timer ticks
        // every scrape adds 2.0 s over 100 observations: 20 ms per token whatever the timing of the scrapes
        Assert.Equal(0.02, (double)rates["meanInterTokenLatencySeconds"]!, 9);
        Assert.True((double)rates["generationTokensPerSecond"]! > 0);
        Assert.Equal(16, (double)rates["meanRunningRequests"]!);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_one_line_and_exit_1()
    {
        using var listener = StartListener(out var url);
        listener.Stop();
        var run = await Cli.Run("scrape", url, "--timeout", "500ms");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("scrape", "not-a-url")]
    [InlineData("scrape", "--file", "/nonexistent/metrics.prom")]
    [InlineData("scrape", "http://127.0.0.1:1/metrics", "--server", "foo")]
    [InlineData("scrape", "http://127.0.0.1:1/metrics", "--window", "soon")]
    [InlineData("scrape")]
    public async Task Bad_arguments_are_user_errors(params string[] args)
    {
        var run = await Cli.Run(args);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
    }

    private static HttpListener StartListener(out string url)
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = Random.Shared.Next(20000, 60000);
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                url = $"http://127.0.0.1:{port}/metrics";
                return listener;
            }
            catch (HttpListenerException) when (attempt < 20)
            {
                listener.Close();
            }
        }
    }
}
