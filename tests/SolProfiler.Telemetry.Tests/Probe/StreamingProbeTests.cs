using System.Diagnostics;
using System.Text.Json;
using SolProfiler.Telemetry.Probe;

namespace SolProfiler.Telemetry.Tests.Probe;

/// <summary>
/// The probe against <see cref="SseTestServer"/>. Timings are checked against the server's own send timestamps
/// (same monotonic clock) within <see cref="Tolerance"/>, plus lower bounds from the nominal schedule, so a slow CI
/// machine that oversleeps does not fail them.
/// </summary>
[Collection(ProbeTimingGroup.Name)]
public sealed class StreamingProbeTests : IDisposable
{
    private const double Tolerance = 0.025;
    private const int Interval = 40;
    private static readonly string[] ChunkTexts = ["a b", "c d e", "f", "g h"];

    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero });

    public void Dispose() => _http.Dispose();

    private static ProbeOptions Options(SseTestServer server, ProbeApi api = ProbeApi.Chat) => new()
    {
        Endpoint = server.BaseUri,
        Model = "test-model",
        Api = api,
        Prompt = "hello",
        MaxTokens = 16,
        RequestTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>
    /// Runs a timing scenario up to three times: a CI machine that stalls a thread for tens of milliseconds makes one
    /// run's timings wrong; counts and kinds are deterministic, so a logic error still fails all three.
    /// </summary>
    private static async Task WithRetries(Func<Task> attempt)
    {
        for (var i = 1; ; i++)
        {
            try
            {
                await attempt();
                return;
            }
            catch (Xunit.Sdk.XunitException) when (i < 3)
            {
            }
        }
    }

    private static double Seconds(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalSeconds;

    private static void Near(double expected, double? actual, string what)
    {
        Assert.NotNull(actual);
        Assert.True(Math.Abs(expected - actual.Value) <= Tolerance, $"{what}: expected {expected * 1e3:0.0} ms +/- {Tolerance * 1e3} ms, got {actual * 1e3:0.0} ms");
    }

    private async Task<(ProbeResult Result, long Before, ServerExchange Exchange)> Run(SseTestServer server, ProbeOptions options)
    {
        var probe = new StreamingProbe(_http, options);
        var before = Stopwatch.GetTimestamp();
        var result = await probe.RunAsync();
        Assert.True(server.Exchanges.TryPeek(out var exchange));
        return (result, before, exchange!);
    }

    [Fact]
    public Task Single_token_chunks_give_ttft_gaps_and_tpot_of_the_schedule() => WithRetries(async () =>
    {
        await using var server = new SseTestServer(async x =>
        {
            await x.StartStreamAsync();
            await x.DelayAsync(Interval);
            await x.EventAsync(Chunks.Chat("", role: "assistant")); // [0] role chunk: no text, not the first token
            await x.DelayAsync(Interval);
            await x.EventAsync(Chunks.Chat("Hello")); // [1] first token
            for (var i = 0; i < 4; i++)
            {
                await x.DelayAsync(Interval);
                await x.EventAsync(Chunks.Chat($" w{i}")); // [2..5]
            }

            await x.DelayAsync(Interval);
            await x.EventAsync(Chunks.Chat("!", finish: "length")); // [6] last token
            await x.EventAsync(Chunks.Usage(5, 6)); // [7]
            await x.EventAsync("[DONE]");
            await x.EndAsync();
        });

        var (r, before, exchange) = await Run(server, Options(server));

        Assert.True(r.Success, r.FailureReason);
        Assert.Equal(200, r.HttpStatus);
        var sent = exchange.SentAt;
        Near(Seconds(before, sent[1]), r.TtftSeconds, "TTFT");
        Assert.True(r.TtftSeconds >= 2 * Interval / 1e3 - 0.005, "TTFT waits for the first chunk with text, not the role chunk");
        Assert.Equal(6, r.ContentChunks);
        Assert.Equal(6, r.OutputTokens);
        Assert.Equal(TokenCountSource.Usage, r.OutputTokenSource);
        Assert.Equal(5, r.PromptTokens);
        Assert.Equal("length", r.FinishReason);
        Assert.Equal(5, r.InterTokenGapsSeconds.Count);
        for (var i = 0; i < 5; i++)
        {
            Near(Seconds(sent[i + 1], sent[i + 2]), r.InterTokenGapsSeconds[i], $"gap {i}");
            Assert.True(r.InterTokenGapsSeconds[i] >= Interval / 1e3 - 0.01, $"gap {i} shorter than the schedule");
        }

        Near(Seconds(sent[1], sent[6]) / 5, r.TpotSeconds, "TPOT");
        Near(Seconds(before, sent[6]), r.EndToEndSeconds, "E2E");
        Assert.Equal(r.InterTokenGapsSeconds.Sum() / 5, r.TpotSeconds!.Value, 9);
        Assert.Equal(6 / r.EndToEndSeconds!.Value, r.OutputTokensPerSecond!.Value, 9);
        Assert.True(r.TotalSeconds >= r.EndToEndSeconds);
        Assert.False(r.GapsPerToken);
    });

    [Fact]
    public Task Multi_token_chunks_with_usage_on_every_chunk_split_each_gap_evenly() => WithRetries(async () =>
    {
        int[] cumulative = [2, 5, 6, 8];
        await using var server = new SseTestServer(async x =>
        {
            await x.StartStreamAsync();
            for (var i = 0; i < cumulative.Length; i++)
            {
                await x.DelayAsync(Interval);
                await x.EventAsync(Chunks.Completion($"t{i}", finish: i == cumulative.Length - 1 ? "length" : null, cumulativeTokens: cumulative[i]));
            }

            await x.EventAsync(Chunks.Usage(7, 8));
            await x.EventAsync("[DONE]");
            await x.EndAsync();
        });

        var (r, before, exchange) = await Run(server, Options(server, ProbeApi.Completions) with { ContinuousUsageStats = true });

        Assert.True(r.Success, r.FailureReason);
        var sent = exchange.SentAt;
        Assert.Equal(8, r.OutputTokens);
        Assert.Equal(4, r.ContentChunks);
        Assert.True(r.GapsPerToken);
        Near(Seconds(before, sent[0]), r.TtftSeconds, "TTFT");

        // 3 tokens in chunk 1, 1 in chunk 2, 2 in chunk 3: 6 = 8 - 2 samples (the first chunk's 2 tokens have no gap).
        Assert.Equal(6, r.InterTokenGapsSeconds.Count);
        var g = r.InterTokenGapsSeconds;
        Assert.Equal(g[0], g[1]);
        Assert.Equal(g[1], g[2]);
        Assert.Equal(g[4], g[5]);
        Near(Seconds(sent[0], sent[1]) / 3, g[0], "gap/3");
        Near(Seconds(sent[1], sent[2]), g[3], "gap/1");
        Near(Seconds(sent[2], sent[3]) / 2, g[4], "gap/2");
        Assert.True(g[3] > g[0] && g[3] > g[4], "a 1-token chunk's gap is longer than a split one");
        Assert.Equal(Seconds(sent[0], sent[3]) / 7, r.TpotSeconds!.Value, 0.01);
        Assert.Equal(g.Sum(), r.TpotSeconds.Value * 7, 9);
        Assert.Contains("\"continuous_usage_stats\":true", server.Requests.Single().Body, StringComparison.Ordinal);
    });

    [Fact]
    public Task Multi_token_chunks_with_usage_only_at_the_end_keep_one_gap_per_chunk() => WithRetries(async () =>
    {
        await using var server = new SseTestServer(async x =>
        {
            await x.StartStreamAsync();
            foreach (var text in ChunkTexts)
            {
                await x.DelayAsync(Interval);
                await x.EventAsync(Chunks.Completion(text));
            }

            await x.EventAsync(Chunks.Usage(7, 8));
            await x.EventAsync("[DONE]");
            await x.EndAsync();
        });

        var (r, _, exchange) = await Run(server, Options(server, ProbeApi.Completions));

        Assert.True(r.Success, r.FailureReason);
        var sent = exchange.SentAt;
        Assert.Equal(8, r.OutputTokens);
        Assert.Equal(TokenCountSource.Usage, r.OutputTokenSource);
        Assert.False(r.GapsPerToken);
        Assert.Equal(3, r.InterTokenGapsSeconds.Count);
        Near(Seconds(sent[0], sent[1]), r.InterTokenGapsSeconds[0], "chunk gap");
        Near(Seconds(sent[0], sent[3]) / 7, r.TpotSeconds, "TPOT over usage tokens");
        Assert.True(r.TpotSeconds < r.MeanInterTokenGapSeconds, "TPOT is below the per-chunk gap when chunks carry several tokens");
    });

    [Fact]
    public async Task Without_usage_tokens_are_counted_from_content_chunks()
    {
        await using var server = new SseTestServer(async x =>
        {
            await x.StartStreamAsync();
            for (var i = 0; i < 5; i++)
            {
                await x.DelayAsync(10);
                await x.EventAsync(Chunks.Chat($"w{i}", finish: i == 4 ? "stop" : null));
            }

            await x.EventAsync("[DONE]");
            await x.EndAsync();
        });

        var (r, _, _) = await Run(server, Options(server));

        Assert.True(r.Success, r.FailureReason);
        Assert.Equal(5, r.OutputTokens);
        Assert.Equal(TokenCountSource.ContentChunks, r.OutputTokenSource);
        Assert.Null(r.PromptTokens);
        Assert.Equal(4, r.InterTokenGapsSeconds.Count);
    }

    [Fact]
    public Task Keep_alive_comments_crlf_and_events_split_across_writes_do_not_disturb_the_timings() => WithRetries(async () =>
    {
        var second = Chunks.Chat(" there");
        await using var server = new SseTestServer(async x =>
        {
            await x.StartStreamAsync();
            await x.SendAsync(": keep-alive\r\n\r\n"); // [0]
            await x.DelayAsync(Interval);
            await x.SendAsync("data: " + Chunks.Chat("Hi") + "\r\n\r\n"); // [1]
            await x.DelayAsync(Interval / 2);
            await x.SendAsync(": ping\r\n\r\n"); // [2]
            await x.SendAsync("data: " + second[..25]); // [3] half an event
            await x.DelayAsync(Interval / 2);
            await x.SendAsync(second[25..] + "\r\n\r\n"); // [4] the rest: the event is complete now
            await x.DelayAsync(Interval);
            await x.SendAsync("data: " + Chunks.Chat("!", finish: "stop") + "\r\n\r\ndata: " + Chunks.Usage(3, 3) + "\r\n\r\ndata: [DONE]\r\n\r\n"); // [5]
            await x.EndAsync();
        });

        var (r, before, exchange) = await Run(server, Options(server));

        Assert.True(r.Success, r.FailureReason);
        var sent = exchange.SentAt;
        Near(Seconds(before, sent[1]), r.TtftSeconds, "TTFT");
        Assert.Equal(3, r.ContentChunks);
        Assert.Equal(3, r.OutputTokens);
        Assert.Equal(2, r.InterTokenGapsSeconds.Count);
        Near(Seconds(sent[1], sent[4]), r.InterTokenGapsSeconds[0], "gap to the completed split event");
        Near(Seconds(sent[4], sent[5]), r.InterTokenGapsSeconds[1], "gap");
        Assert.True(r.InterTokenGapsSeconds[0] >= Interval / 1e3 - 0.01);
    });

    [Fact]
    public Task Connection_dropped_mid_stream_is_a_broken_stream_with_partial_measurements() => WithRetries(async () =>
    {
        await using var server = new SseTestServer(async x =>
        {
            await x.StartStreamAsync();
            for (var i = 0; i < 3; i++)
            {
                await x.DelayAsync(Interval);
                await x.EventAsync(Chunks.Completion($"t{i}"));
            }

            // return without the final chunk: the connection closes mid-response
        });

        var (r, before, exchange) = await Run(server, Options(server, ProbeApi.Completions));

        Assert.False(r.Success);
        Assert.Equal(ProbeFailureKind.MidStream, r.Failure);
        Assert.Contains("3 content chunks", r.FailureReason, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', r.FailureReason!);
        Assert.Equal(200, r.HttpStatus);
        Near(Seconds(before, exchange.SentAt[0]), r.TtftSeconds, "TTFT kept");
        Assert.Equal(3, r.ContentChunks);
        Assert.Equal(3, r.OutputTokens);
        Assert.Equal(2, r.InterTokenGapsSeconds.Count);
        Assert.NotNull(r.TpotSeconds);
    });

    [Fact]
    public async Task Clean_close_without_done_or_finish_reason_is_a_broken_stream()
    {
        await using var server = new SseTestServer(async x =>
        {
            await x.StartStreamAsync();
            await x.EventAsync(Chunks.Chat("a"));
            await x.SendAsync("data: {\"choi");
            await x.EndAsync();
        });

        var (r, _, _) = await Run(server, Options(server));

        Assert.Equal(ProbeFailureKind.MidStream, r.Failure);
        Assert.Contains("before [DONE]", r.FailureReason, StringComparison.Ordinal);
        Assert.Equal(1, r.ContentChunks);
    }

    [Fact]
    public async Task Finish_reason_without_done_is_accepted()
    {
        await using var server = new SseTestServer(async x =>
        {
            await x.StartStreamAsync();
            await x.EventAsync(Chunks.Chat("a"));
            await x.EventAsync(Chunks.Chat("b", finish: "stop"));
            await x.EndAsync();
        });

        var (r, _, _) = await Run(server, Options(server));

        Assert.True(r.Success, r.FailureReason);
        Assert.Equal(2, r.OutputTokens);
    }

    [Theory]
    [InlineData("data: {\"error\":{\"message\":\"out of KV cache\",\"type\":\"InternalServerError\",\"code\":500}}\n\n")]
    [InlineData("event: error\ndata: {\"message\":\"out of KV cache\"}\n\n")]
    public async Task Error_event_mid_stream_is_a_stream_error_with_the_message(string errorEvent)
    {
        await using var server = new SseTestServer(async x =>
        {
            await x.StartStreamAsync();
            await x.EventAsync(Chunks.Chat("a"));
            await x.DelayAsync(10);
            await x.EventAsync(Chunks.Chat("b"));
            await x.SendAsync(errorEvent);
            await x.EventAsync("[DONE]");
            await x.EndAsync();
        });

        var (r, _, _) = await Run(server, Options(server));

        Assert.Equal(ProbeFailureKind.StreamError, r.Failure);
        Assert.Contains("out of KV cache", r.FailureReason, StringComparison.Ordinal);
        Assert.Equal(2, r.ContentChunks);
        Assert.NotNull(r.TtftSeconds);
        Assert.Single(r.InterTokenGapsSeconds);
    }

    [Fact]
    public async Task Malformed_chunk_is_a_broken_stream()
    {
        await using var server = new SseTestServer(async x =>
        {
            await x.StartStreamAsync();
            await x.EventAsync("{not json");
            await x.EndAsync();
        });

        var (r, _, _) = await Run(server, Options(server));

        Assert.Equal(ProbeFailureKind.MidStream, r.Failure);
        Assert.Contains("malformed", r.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_401_is_a_result_whose_reason_never_contains_the_api_key()
    {
        const string key = "sk-test-9f3a7c1e5b2d4e6f";
        var variable = "SOLPROF_PROBE_TEST_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, key);
        try
        {
            // The server echoes the Authorization header it got, as some proxies do in their error pages.
            await using var server = new SseTestServer(x =>
                x.RespondAsync(401, $"{{\"error\":{{\"message\":\"invalid key {x.Request.Headers["Authorization"]}\",\"code\":401}}}}"));

            var (r, _, _) = await Run(server, Options(server) with { ApiKeyEnvironmentVariable = variable });

            Assert.Equal($"Bearer {key}", server.Requests.Single().Headers["Authorization"]);
            Assert.False(r.Success);
            Assert.Equal(ProbeFailureKind.HttpStatus, r.Failure);
            Assert.Equal(401, r.HttpStatus);
            Assert.Contains("401", r.FailureReason, StringComparison.Ordinal);
            Assert.Contains("invalid key", r.FailureReason, StringComparison.Ordinal);
            Assert.DoesNotContain(key, r.FailureReason, StringComparison.Ordinal);
            Assert.DoesNotContain(key, r.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(key, JsonSerializer.Serialize(r), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task Http_500_gives_the_status_and_a_short_body_excerpt()
    {
        var longBody = "{\"error\":\"engine dead\"}" + new string('x', 5000);
        await using var server = new SseTestServer(x => x.RespondAsync(500, longBody));

        var (r, _, _) = await Run(server, Options(server));

        Assert.Equal(ProbeFailureKind.HttpStatus, r.Failure);
        Assert.Equal(500, r.HttpStatus);
        Assert.StartsWith("HTTP 500 Internal Server Error: {\"error\":\"engine dead\"}", r.FailureReason, StringComparison.Ordinal);
        Assert.True(r.FailureReason!.Length <= 300);
        Assert.Null(r.TtftSeconds);
        Assert.Equal(0, r.OutputTokens);
    }

    [Fact]
    public async Task A_200_that_is_not_an_event_stream_is_a_failure()
    {
        await using var server = new SseTestServer(x => x.RespondAsync(200, "{\"choices\":[]}"));

        var (r, _, _) = await Run(server, Options(server));

        Assert.Equal(ProbeFailureKind.HttpStatus, r.Failure);
        Assert.Contains("application/json", r.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_as_a_result()
    {
        await using var server = new SseTestServer(x => x.HangAsync());

        var (r, _, _) = await Run(server, Options(server) with { RequestTimeout = TimeSpan.FromMilliseconds(300) });

        Assert.Equal(ProbeFailureKind.Timeout, r.Failure);
        Assert.Null(r.HttpStatus);
        Assert.Contains("0.3 s", r.FailureReason, StringComparison.Ordinal);
        Assert.Contains("headers", r.FailureReason, StringComparison.Ordinal);
        Assert.InRange(r.TotalSeconds, 0.29, 5);
    }

    [Fact]
    public async Task A_stream_that_stalls_times_out_and_keeps_what_arrived()
    {
        await using var server = new SseTestServer(async x =>
        {
            await x.StartStreamAsync();
            await x.EventAsync(Chunks.Chat("a"));
            await x.HangAsync();
        });

        var (r, _, _) = await Run(server, Options(server) with { RequestTimeout = TimeSpan.FromMilliseconds(300) });

        Assert.Equal(ProbeFailureKind.Timeout, r.Failure);
        Assert.Equal(200, r.HttpStatus);
        Assert.Contains("mid-stream after 1 content chunks", r.FailureReason, StringComparison.Ordinal);
        Assert.Equal(1, r.ContentChunks);
        Assert.NotNull(r.TtftSeconds);
    }

    [Fact]
    public async Task Connection_refused_is_a_result()
    {
        var port = Loopback.FreePort();
        var probe = new StreamingProbe(_http, new ProbeOptions { Endpoint = new Uri($"http://127.0.0.1:{port}"), Model = "m" });

        var r = await probe.RunAsync();

        Assert.Equal(ProbeFailureKind.Connect, r.Failure);
        Assert.Contains("refused", r.FailureReason, StringComparison.Ordinal);
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), r.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_the_callers_token_throws_rather_than_reporting_a_timeout()
    {
        await using var server = new SseTestServer(x => x.HangAsync());
        var probe = new StreamingProbe(_http, Options(server));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => probe.RunAsync(cts.Token));
    }

    [Fact]
    public async Task Completions_request_has_the_streaming_body_and_the_bearer_key_from_a_file()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "file-key-123\n");
        try
        {
            await using var server = new SseTestServer(async x =>
            {
                await x.StartStreamAsync();
                await x.EventAsync("[DONE]");
                await x.EndAsync();
            });
            var options = Options(server, ProbeApi.Completions) with
            {
                Endpoint = new Uri(server.BaseUri, "/v1/"),
                ApiKeyFile = file,
                IgnoreEos = true,
                MinTokens = 16,
            };

            var (r, _, _) = await Run(server, options);

            var request = server.Requests.Single();
            Assert.Equal("POST", request.Method);
            Assert.Equal("/v1/completions", request.Path);
            Assert.Equal("Bearer file-key-123", request.Headers["Authorization"]);
            using var body = JsonDocument.Parse(request.Body);
            var root = body.RootElement;
            Assert.Equal("test-model", root.GetProperty("model").GetString());
            Assert.Equal("hello", root.GetProperty("prompt").GetString());
            Assert.Equal(16, root.GetProperty("max_tokens").GetInt32());
            Assert.True(root.GetProperty("stream").GetBoolean());
            Assert.True(root.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
            Assert.True(root.GetProperty("ignore_eos").GetBoolean());
            Assert.Equal(16, root.GetProperty("min_tokens").GetInt32());
            Assert.False(root.TryGetProperty("messages", out _));
            Assert.True(r.Success, r.FailureReason);
            Assert.Equal(0, r.OutputTokens);
            Assert.Null(r.TtftSeconds);
            Assert.Null(r.TpotSeconds);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Chat_request_sends_one_user_message_without_a_key_when_none_is_configured()
    {
        await using var server = new SseTestServer(async x =>
        {
            await x.StartStreamAsync();
            await x.EventAsync("[DONE]");
            await x.EndAsync();
        });

        await Run(server, Options(server));

        var request = server.Requests.Single();
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.False(request.Headers.ContainsKey("Authorization"));
        using var body = JsonDocument.Parse(request.Body);
        var message = Assert.Single(body.RootElement.GetProperty("messages").EnumerateArray());
        Assert.Equal("user", message.GetProperty("role").GetString());
        Assert.Equal("hello", message.GetProperty("content").GetString());
        Assert.False(body.RootElement.TryGetProperty("ignore_eos", out _));
        Assert.False(body.RootElement.GetProperty("stream_options").TryGetProperty("continuous_usage_stats", out _));
    }
}
