using System.Text.Json;
using SolProfiler.Telemetry.Probe;

namespace SolProfiler.Telemetry.Tests.Probe;

[Collection(ProbeTimingGroup.Name)]
public sealed class ProbeRunnerTests : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero });

    public void Dispose() => _http.Dispose();

    private static async Task FourTokens(ServerExchange x)
    {
        await x.StartStreamAsync();
        for (var i = 0; i < 4; i++)
        {
            await x.DelayAsync(30);
            await x.EventAsync(Chunks.Completion($"t{i}", finish: i == 3 ? "length" : null));
        }

        await x.EventAsync(Chunks.Usage(3, 4));
        await x.EventAsync("[DONE]");
        await x.EndAsync();
    }

    [Fact]
    public async Task Runs_n_requests_with_c_clients_and_aggregates_the_successes()
    {
        // The first two requests wait for each other (up to 5 s), so two concurrent clients always overlap there.
        // Every third request the server receives fails with HTTP 500.
        var bothArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new SseTestServer(async x =>
        {
            if (x.Number < 2)
            {
                if (x.Number == 1)
                {
                    bothArrived.TrySetResult();
                }

                await Task.WhenAny(bothArrived.Task, Task.Delay(5000, x.Stopping));
            }

            await (x.Number % 3 == 2 ? x.RespondAsync(500, "{\"error\":\"busy\"}") : FourTokens(x));
        });
        var probe = new StreamingProbe(_http, new ProbeOptions { Endpoint = server.BaseUri, Model = "m", Api = ProbeApi.Completions });
        var reported = 0;

        var summary = await new ProbeRunner(probe).RunAsync(6, 2, new SyncProgress(_ => Interlocked.Increment(ref reported)));

        Assert.Equal(6, server.Requests.Count);
        Assert.Equal(2, server.MaxConcurrent);
        Assert.Equal(6, reported);
        Assert.Equal(Enumerable.Range(0, 6), summary.Results.Select(r => r.Index));
        var a = summary.Aggregate;
        Assert.Equal(6, a.Requests);
        Assert.Equal(2, a.Concurrency);
        Assert.Equal(4, a.Succeeded);
        Assert.Equal(2, a.Failed);
        var failure = Assert.Single(a.Failures);
        Assert.Equal(2, failure.Count);
        Assert.Equal(ProbeFailureKind.HttpStatus, failure.Kind);
        Assert.StartsWith("HTTP 500", failure.Reason, StringComparison.Ordinal);
        Assert.Equal(16, a.TotalOutputTokens);
        Assert.True(a.TokensFromUsage);
        Assert.Equal(4, a.Ttft!.Count);
        Assert.Equal(12, a.Itl!.Count); // 3 gaps in each of 4 requests, pooled
        Assert.Equal(4, a.Tpot!.Count);
        Assert.Equal(4, a.EndToEnd!.Count);
        Assert.True(a.Ttft.Min >= 0.025 && a.Ttft.P50 <= a.Ttft.P90 && a.Ttft.P90 <= a.Ttft.P99 && a.Ttft.P99 <= a.Ttft.Max);
        Assert.InRange(a.Itl.Mean, 0.02, 0.2);
        Assert.True(a.Tpot.Mean >= 0.02);
        Assert.NotNull(a.MeanOutputTokensPerSecondPerRequest);
        Assert.Equal(summary.Results.Where(r => r.Success).Average(r => r.OutputTokensPerSecond!.Value), a.MeanOutputTokensPerSecondPerRequest!.Value, 9);
        Assert.Equal(16 / a.WallSeconds, a.OutputTokensPerSecond!.Value, 9);
        Assert.True(a.WallSeconds < summary.Results.Sum(r => r.TotalSeconds), "two clients overlap, so the run is shorter than the requests end to end");
    }

    [Fact]
    public async Task Concurrency_above_the_request_count_is_capped_and_one_client_runs_requests_one_at_a_time()
    {
        await using var server = new SseTestServer(FourTokens);
        var probe = new StreamingProbe(_http, new ProbeOptions { Endpoint = server.BaseUri, Model = "m" });

        var capped = await new ProbeRunner(probe).RunAsync(2, 8);
        Assert.Equal(2, capped.Aggregate.Concurrency);
        Assert.Equal(2, capped.Aggregate.Succeeded);

        await using var serial = new SseTestServer(FourTokens);
        var one = await new ProbeRunner(new StreamingProbe(_http, new ProbeOptions { Endpoint = serial.BaseUri, Model = "m" })).RunAsync(3, 1);
        Assert.Equal(1, serial.MaxConcurrent);
        Assert.Equal(3, one.Aggregate.Succeeded);
    }

    [Fact]
    public async Task Warm_up_requests_are_sent_one_at_a_time_and_returned_apart()
    {
        await using var server = new SseTestServer(FourTokens);
        var runner = new ProbeRunner(new StreamingProbe(_http, new ProbeOptions { Endpoint = server.BaseUri, Model = "m" }));

        var warm = await runner.WarmUpAsync(2);
        var run = await runner.RunAsync(1, 1);

        Assert.Equal(2, warm.Count);
        Assert.All(warm, r => Assert.True(r.Success, r.FailureReason));
        Assert.Equal(3, server.Requests.Count);
        Assert.Equal(1, server.MaxConcurrent);
        Assert.Equal(1, run.Aggregate.Requests);
        Assert.Empty(await runner.WarmUpAsync(0));
    }

    [Fact]
    public async Task All_failures_give_an_aggregate_without_latencies()
    {
        var probe = new StreamingProbe(_http, new ProbeOptions { Endpoint = new Uri($"http://127.0.0.1:{Loopback.FreePort()}"), Model = "m" });

        var summary = await new ProbeRunner(probe).RunAsync(3, 3);

        Assert.Equal(3, summary.Aggregate.Failed);
        Assert.Null(summary.Aggregate.Ttft);
        Assert.Null(summary.Aggregate.Itl);
        Assert.Null(summary.Aggregate.OutputTokensPerSecond);
        Assert.Equal(ProbeFailureKind.Connect, Assert.Single(summary.Aggregate.Failures).Kind);
    }

    [Fact]
    public async Task Rejects_non_positive_counts()
    {
        var probe = new StreamingProbe(_http, new ProbeOptions { Endpoint = new Uri("http://127.0.0.1:1"), Model = "m" });
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => new ProbeRunner(probe).RunAsync(0, 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => new ProbeRunner(probe).RunAsync(1, 0));
    }

    [Fact]
    public void Percentiles_interpolate_linearly_between_ranks()
    {
        var s = LatencyStats.From([4, 1, 3, 2, double.NaN])!;
        Assert.Equal(4, s.Count);
        Assert.Equal(2.5, s.Mean);
        Assert.Equal(2.5, s.P50);
        Assert.Equal(3.7, s.P90, 9);
        Assert.Equal(3.97, s.P99, 9);
        Assert.Equal(1, s.Min);
        Assert.Equal(4, s.Max);
        Assert.Equal(7, LatencyStats.From([7])!.P99);
        Assert.Null(LatencyStats.From([]));
    }

    [Fact]
    public void Json_report_is_camel_case_in_seconds_and_has_no_key_material()
    {
        var options = new ProbeOptions { Endpoint = new Uri("http://h:8000"), Model = "m", Api = ProbeApi.Chat, ApiKeyEnvironmentVariable = "SECRET_VAR_NAME" };
        var ok = new ProbeResult
        {
            Index = 0,
            TtftSeconds = 0.1,
            EndToEndSeconds = 0.5,
            TotalSeconds = 0.6,
            InterTokenGapsSeconds = [0.1, 0.1, 0.2],
            TpotSeconds = 0.4 / 3,
            OutputTokens = 4,
            OutputTokenSource = TokenCountSource.Usage,
            ContentChunks = 4,
        };
        var failed = new ProbeResult { Index = 1, Failure = ProbeFailureKind.Timeout, FailureReason = "timed out after 60 s waiting for response headers", TotalSeconds = 60 };
        var summary = new ProbeRunSummary(ProbeAggregate.From([ok, failed], 1, 61), [ok, failed]);

        var json = ProbeJson.Serialize(options, summary);

        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("http://h:8000/v1/chat/completions", root.GetProperty("endpoint").GetString());
        Assert.Equal("chat", root.GetProperty("api").GetString());
        Assert.True(root.GetProperty("apiKey").GetBoolean());
        Assert.DoesNotContain("SECRET_VAR_NAME", json, StringComparison.Ordinal);
        var aggregate = root.GetProperty("aggregate");
        Assert.Equal(1, aggregate.GetProperty("succeeded").GetInt32());
        Assert.Equal(0.1, aggregate.GetProperty("ttft").GetProperty("p50").GetDouble());
        Assert.Equal(3, aggregate.GetProperty("itl").GetProperty("count").GetInt32());
        Assert.Equal("timeout", aggregate.GetProperty("failures")[0].GetProperty("kind").GetString());
        var rows = root.GetProperty("requests");
        Assert.Equal(0.1, rows[0].GetProperty("ttftSeconds").GetDouble());
        Assert.Equal("usage", rows[0].GetProperty("outputTokenSource").GetString());
        Assert.Equal(8, rows[0].GetProperty("outputTokensPerSecond").GetDouble(), 9);
        Assert.Equal(JsonValueKind.Null, rows[1].GetProperty("ttftSeconds").ValueKind);
        Assert.False(rows[1].GetProperty("success").GetBoolean());
    }

    /// <summary>Reports synchronously (Progress&lt;T&gt; posts to the thread pool, which would race the assertions).</summary>
    private sealed class SyncProgress(Action<ProbeResult> action) : IProgress<ProbeResult>
    {
        public void Report(ProbeResult value) => action(value);
    }
}
