using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using SolProfiler.Agent.Demo;
using SolProfiler.Telemetry.Exposition;
using SolProfiler.Telemetry.Probe;
using SolProfiler.Telemetry.Serving;

namespace SolProfiler.Agent.Tests.Demo;

public sealed class SimulatedInferenceServerTests
{
    private static Task<SimulatedInferenceServer> StartAsync(DemoOptions options) =>
        SimulatedInferenceServer.StartAsync(options, NullLoggerFactory.Instance);

    private static async Task<(ServingSample Sample, DateTimeOffset At)> ScrapeAsync(HttpClient http, Uri url)
    {
        using var response = await http.GetAsync(url);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var doc = ExpositionParser.Parse(await response.Content.ReadAsStringAsync());
        var (kind, adapter, _) = ServerDetector.Detect(doc);
        Assert.Equal(ServerKind.Vllm, kind);
        var now = DateTimeOffset.UtcNow;
        return (Assert.Single(adapter!.Read(doc, now)), now);
    }

    [Fact]
    public async Task Metrics_read_as_vllm_v1_by_our_adapter_and_move()
    {
        await using var server = await StartAsync(new DemoOptions { FixedBatch = 16 });
        using var http = new HttpClient();

        var (first, _) = await ScrapeAsync(http, server.MetricsUrl);
        await Task.Delay(600);
        var (second, _) = await ScrapeAsync(http, server.MetricsUrl);
        var current = server.Current;

        Assert.Equal("llama-3.1-70b", second.Model);
        Assert.Equal("0", second.Engine);
        Assert.Equal(16, second.RunningRequests);
        Assert.Equal(0, second.WaitingRequests);
        Assert.True(second.GenerationTokensTotal > first.GenerationTokensTotal, "generation tokens did not increase");
        Assert.NotNull(second.InterTokenLatency);
        Assert.Contains("inter_token_latency_seconds", second.InterTokenLatencySource, StringComparison.Ordinal);
        Assert.Equal(server.Workload.KvCacheBlocks * 16.0, second.KvCacheCapacityTokens);
        Assert.InRange(second.KvCacheUsageRatio!.Value, 1e-6, 1);

        // Mean step between the scrapes from the histogram deltas: the simulated step (context moves it slowly).
        var itl = (second.InterTokenLatency!.Sum - first.InterTokenLatency!.Sum) / (second.InterTokenLatency.Count - first.InterTokenLatency.Count);
        Assert.InRange(itl, current.StepSeconds * 0.9, current.StepSeconds * 1.1);
        // Every running sequence makes a token per step; the first token of a sequence is TTFT, not ITL.
        var tokens = second.GenerationTokensTotal!.Value - first.GenerationTokensTotal!.Value;
        Assert.True(second.InterTokenLatency.Count - first.InterTokenLatency.Count <= tokens);
    }

    [Fact]
    public async Task Streaming_probe_gets_every_token_at_about_the_step_time()
    {
        await using var server = await StartAsync(new DemoOptions { FixedBatch = 4, OutputTokens = 64 });
        using var http = new HttpClient();
        var options = new ProbeOptions { Endpoint = server.ApiBaseUrl, Model = server.ModelName, MaxTokens = 24, IgnoreEos = true, MinTokens = 24 };

        var summary = await new ProbeRunner(new StreamingProbe(http, options)).RunAsync(requests: 2, concurrency: 2);
        var step = server.Current.StepSeconds;

        Assert.Equal(2, summary.Aggregate.Succeeded);
        foreach (var result in summary.Results)
        {
            Assert.True(result.Success, result.FailureReason);
            Assert.Equal(24, result.OutputTokens);
            Assert.Equal(TokenCountSource.Usage, result.OutputTokenSource);
            Assert.Equal("length", result.FinishReason);
            Assert.Equal(23, result.InterTokenGapsSeconds.Count);
            // No token leaves before its step ends, so the 24th comes no sooner than 24 steps after the request
            // (0.9: the context, and so the step, grows a little). The simulated GPU does not wait for a starved HTTP
            // path, as vLLM's engine core does not wait for its API server, so tokens held up there may then leave
            // together: TPOT has no lower bound on a busy machine, only an upper one.
            Assert.True(result.EndToEndSeconds >= 24 * step * 0.9, $"{result.EndToEndSeconds} s for 24 tokens of {step} s");
            Assert.InRange(result.TpotSeconds!.Value, 0, step + 0.25);
        }
    }

    [Fact]
    public async Task Chat_without_streaming_answers_with_usage_and_bad_json_gets_an_openai_error()
    {
        await using var server = await StartAsync(new DemoOptions { BackgroundLoad = false });
        using var http = new HttpClient();

        using var ok = await http.PostAsync(new Uri(server.BaseAddress, "v1/chat/completions"), new StringContent(
            $$"""{"model":"{{server.ModelName}}","messages":[{"role":"user","content":"hello there"}],"max_tokens":5}""", System.Text.Encoding.UTF8, "application/json"));
        var okBody = await ok.Content.ReadAsStringAsync();
        using var bad = await http.PostAsync(new Uri(server.BaseAddress, "v1/completions"), new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        var badBody = await bad.Content.ReadAsStringAsync();
        using var models = await http.GetAsync(new Uri(server.BaseAddress, "v1/models"));
        var modelsBody = await models.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains("\"completion_tokens\":5", okBody, StringComparison.Ordinal);
        Assert.Contains("\"finish_reason\":\"length\"", okBody, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("\"error\":{\"message\":\"request body is not valid JSON", badBody, StringComparison.Ordinal);
        Assert.Contains("\"type\":\"BadRequestError\"", badBody, StringComparison.Ordinal);
        Assert.Contains($"\"id\":\"{server.ModelName}\"", modelsBody, StringComparison.Ordinal);
    }
}
