using System.Net;
using System.Net.Sockets;
using System.Text;
using SolProfiler.Telemetry.Exposition;
using SolProfiler.Telemetry.Serving;
using SolProfiler.Telemetry.Serving.Scraping;

namespace SolProfiler.Telemetry.Tests.Scraping;

public sealed class ServingScraperTests : IDisposable
{
    private const string Text = "text/plain; version=0.0.4; charset=utf-8";

    // A minimal vLLM v1 body (names from shared/reference/serving-metrics.md section 1.3).
    private const string VllmBody = """
        # HELP vllm:num_requests_running Number of requests in model execution batches.
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running{engine="0",model_name="m"} 7.0
        # TYPE vllm:num_requests_waiting gauge
        vllm:num_requests_waiting{engine="0",model_name="m"} 2.0
        # TYPE vllm:generation_tokens_total counter
        vllm:generation_tokens_total{engine="0",model_name="m"} 1234.0
        # TYPE vllm:inter_token_latency_seconds histogram
        vllm:inter_token_latency_seconds_bucket{engine="0",le="0.01",model_name="m"} 10.0
        vllm:inter_token_latency_seconds_bucket{engine="0",le="+Inf",model_name="m"} 20.0
        vllm:inter_token_latency_seconds_sum{engine="0",model_name="m"} 0.5
        vllm:inter_token_latency_seconds_count{engine="0",model_name="m"} 20.0

        """;

    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

    public void Dispose() => _http.Dispose();

    private Task<ServingScrape> Scrape(Uri url, TimeSpan? timeout = null, ExpositionLimits? limits = null, string? apiKey = null) =>
        new ServingScraper(_http).ScrapeAsync(new ScrapeOptions { Url = url, Timeout = timeout ?? TimeSpan.FromSeconds(2), Limits = limits ?? ExpositionLimits.Default, ApiKey = apiKey });

    [Fact]
    public async Task A_vllm_endpoint_is_detected_and_read()
    {
        await using var server = new LoopbackHttpServer((_, s, ct) => LoopbackHttpServer.Respond(s, 200, Text, VllmBody, ct));
        var scrape = await Scrape(server.Url());
        Assert.False(scrape.Failed, scrape.FailureReason);
        Assert.Equal(ServerKind.Vllm, scrape.Server);
        var sample = Assert.Single(scrape.Samples);
        Assert.Equal(7, sample.RunningRequests);
        Assert.Equal(1234, sample.GenerationTokensTotal);
        Assert.Equal(0.5, sample.InterTokenLatency!.Sum);
    }

    [Fact]
    public async Task The_api_key_is_sent_as_a_bearer_token()
    {
        await using var server = new LoopbackHttpServer((_, s, ct) => LoopbackHttpServer.Respond(s, 200, Text, VllmBody, ct));
        await Scrape(server.Url(), apiKey: "sk-test-123");
        Assert.Equal("Bearer sk-test-123", server.LastAuthorization);
    }

    [Fact]
    public async Task A_refused_connection_is_a_failed_scrape()
    {
        var port = Loopback.FreePort();

        var scrape = await Scrape(new Uri($"http://127.0.0.1:{port}/metrics"));
        Assert.True(scrape.Failed);
        Assert.Contains("cannot connect", scrape.FailureReason, StringComparison.Ordinal);
        Assert.Empty(scrape.Samples);
    }

    [Fact]
    public async Task A_silent_server_times_out()
    {
        await using var server = new LoopbackHttpServer(async (_, _, ct) => await Task.Delay(TimeSpan.FromSeconds(30), ct));
        var scrape = await Scrape(server.Url(), timeout: TimeSpan.FromMilliseconds(300));
        Assert.True(scrape.Failed);
        Assert.Contains("within 0.3 s", scrape.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_http_error_is_reported_with_its_status()
    {
        await using var server = new LoopbackHttpServer((_, s, ct) => LoopbackHttpServer.Respond(s, 503, "text/plain", "busy", ct));
        var scrape = await Scrape(server.Url());
        Assert.True(scrape.Failed);
        Assert.Contains("HTTP 503", scrape.FailureReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/html; charset=utf-8", "<html><body>Dashboard</body></html>")]
    [InlineData("text/plain", "\n  <!DOCTYPE html><html></html>")]
    public async Task Html_instead_of_metrics_is_named(string contentType, string body)
    {
        await using var server = new LoopbackHttpServer((_, s, ct) => LoopbackHttpServer.Respond(s, 200, contentType, body, ct));
        var scrape = await Scrape(server.Url());
        Assert.True(scrape.Failed);
        Assert.Contains("HTML", scrape.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_body_is_a_failed_scrape()
    {
        await using var server = new LoopbackHttpServer(async (_, s, ct) =>
        {
            var body = Encoding.UTF8.GetBytes(VllmBody);
            await s.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: {Text}\r\nContent-Length: {body.Length + 500}\r\nConnection: close\r\n\r\n"), ct);
            await s.WriteAsync(body.AsMemory(0, body.Length / 2), ct);
        });
        var scrape = await Scrape(server.Url());
        Assert.True(scrape.Failed);
        Assert.Contains("truncated", scrape.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oversized_body_is_refused()
    {
        var big = VllmBody + string.Concat(Enumerable.Range(0, 5000).Select(i => $"filler_metric{{i=\"{i}\"}} {i}\n"));
        await using var server = new LoopbackHttpServer((_, s, ct) => LoopbackHttpServer.Respond(s, 200, Text, big, ct));
        var scrape = await Scrape(server.Url(), limits: new ExpositionLimits { MaxBytes = 10_000 });
        Assert.True(scrape.Failed);
        Assert.Contains("10000", scrape.FailureReason!.Replace(",", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Duplicate_series_are_a_document_problem_shown_beside_the_samples()
    {
        var body = VllmBody + "vllm:num_requests_running{engine=\"0\",model_name=\"m\"} 8.0\n";
        await using var server = new LoopbackHttpServer((_, s, ct) => LoopbackHttpServer.Respond(s, 200, Text, body, ct));
        var scrape = await Scrape(server.Url());
        Assert.False(scrape.Failed, scrape.FailureReason);
        Assert.Contains(scrape.DocumentProblems, p => p.Contains("duplicate", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(0.5, Assert.Single(scrape.Samples).InterTokenLatency!.Sum);
    }

    [Fact]
    public async Task A_histogram_without_its_inf_bucket_is_a_problem_and_the_rest_of_the_scrape_is_read()
    {
        // Real servers always write +Inf; an excerpt pasted from documentation often does not. The sum and count
        // stand on their own, so the step time is still read.
        var body = VllmBody.Replace("vllm:inter_token_latency_seconds_bucket{engine=\"0\",le=\"+Inf\",model_name=\"m\"} 20.0\n", "", StringComparison.Ordinal);
        Assert.NotEqual(VllmBody, body);
        await using var server = new LoopbackHttpServer((_, s, ct) => LoopbackHttpServer.Respond(s, 200, Text, body, ct));
        var scrape = await Scrape(server.Url());
        Assert.False(scrape.Failed, scrape.FailureReason);
        Assert.Contains(scrape.DocumentProblems, p => p.Contains("+Inf", StringComparison.Ordinal));
        var sample = Assert.Single(scrape.Samples);
        Assert.Equal(7.0, sample.RunningRequests);
        Assert.Equal(20.0, sample.InterTokenLatency!.Count);
    }

    [Fact]
    public async Task An_unknown_server_lists_the_families_it_saw()
    {
        const string body = "# TYPE node_cpu_seconds_total counter\nnode_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 1.0\n# TYPE go_goroutines gauge\ngo_goroutines 8\n";
        await using var server = new LoopbackHttpServer((_, s, ct) => LoopbackHttpServer.Respond(s, 200, Text, body, ct));
        var scrape = await Scrape(server.Url());
        Assert.True(scrape.Failed);
        Assert.Equal(ServerKind.Unknown, scrape.Server);
        Assert.Contains("not recognised", scrape.FailureReason, StringComparison.Ordinal);
        Assert.Contains("node_", scrape.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_source_never_throws_and_recovers()
    {
        var calls = 0;
        await using var server = new LoopbackHttpServer((_, s, ct) =>
            Interlocked.Increment(ref calls) % 2 == 1
                ? LoopbackHttpServer.Respond(s, 500, "text/plain", "oops", ct)
                : LoopbackHttpServer.Respond(s, 200, Text, VllmBody, ct));
        var first = await Scrape(server.Url());
        var second = await Scrape(server.Url());
        Assert.True(first.Failed);
        Assert.False(second.Failed, second.FailureReason);
    }
}
