using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using SolProfiler.Demo;
using SolProfiler.Telemetry.Exposition;
using SolProfiler.Telemetry.Probe;
using SolProfiler.Telemetry.Serving;

namespace SolProfiler.Demo.Tests;

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
        // Prompts in chunks of at most 64 tokens, so that steps stay alike and the current one stands for the mean.
        await using var server = await StartAsync(new DemoOptions { FixedBatch = 16, LongPrefillTokenThreshold = 64, PrefixCacheHitRatio = 0.25 });
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

        // Chunked prefill under vLLM's names: engine steps move, and the prompt tokens computed are the prompts less
        // the prefix-cache hits (a quarter of each prompt here).
        Assert.True(second.EngineStepsTotal > first.EngineStepsTotal, "iteration_tokens_total_count did not move");
        Assert.NotNull(second.PrefixCacheHitTokensTotal);
        Assert.True(second.PromptTokensComputedTotal < second.PromptTokensTotal, "computed prompt tokens should exclude the prefix-cache hits");
        Assert.Null(second.SpecDecodeDraftsTotal); // vLLM publishes the speculative family only with a speculative config
    }

    [Fact]
    public async Task Speculative_decoding_is_published_under_vllms_names_and_every_token_still_streams()
    {
        await using var server = await StartAsync(new DemoOptions { FixedBatch = 4, OutputTokens = 64, DraftTokens = 2, DraftAcceptanceRate = 0.5 });
        using var http = new HttpClient();
        var options = new ProbeOptions { Endpoint = server.ApiBaseUrl, Model = server.ModelName, MaxTokens = 30, IgnoreEos = true, MinTokens = 30 };

        var (first, _) = await ScrapeAsync(http, server.MetricsUrl);
        var summary = await new ProbeRunner(new StreamingProbe(http, options)).RunAsync(requests: 1, concurrency: 1);
        var (second, _) = await ScrapeAsync(http, server.MetricsUrl);

        // 0.5 + 0.25 accepted of 2 drafts per sequence per step.
        var drafts = second.SpecDecodeDraftsTotal!.Value - first.SpecDecodeDraftsTotal!.Value;
        Assert.True(drafts > 0);
        Assert.Equal(2, (second.SpecDecodeDraftTokensTotal!.Value - first.SpecDecodeDraftTokensTotal!.Value) / drafts, 1e-9);
        Assert.Equal(0.75, (second.SpecDecodeAcceptedTokensTotal!.Value - first.SpecDecodeAcceptedTokensTotal!.Value) / drafts, 0.1);
        var result = Assert.Single(summary.Results);
        Assert.True(result.Success, result.FailureReason);
        Assert.Equal(30, result.OutputTokens);
    }

    [Fact]
    public async Task Streaming_probe_gets_every_token_at_about_the_step_time()
    {
        await using var server = await StartAsync(new DemoOptions { FixedBatch = 4, OutputTokens = 64 });
        using var http = new HttpClient();
        var options = new ProbeOptions { Endpoint = server.ApiBaseUrl, Model = server.ModelName, MaxTokens = 24, IgnoreEos = true, MinTokens = 24 };

        // The step changes while the probe runs (prompts of the simulator's own requests are batched into some steps),
        // so the lower bound below takes the shortest step seen during the run, not the one at its end.
        var step = server.Current.StepSeconds;
        var probing = new ProbeRunner(new StreamingProbe(http, options)).RunAsync(requests: 2, concurrency: 2);
        while (!probing.IsCompleted)
        {
            step = Math.Min(step, server.Current.StepSeconds);
            await Task.WhenAny(probing, Task.Delay(2));
        }

        var summary = await probing;

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
