using SolProfiler.Telemetry.Http;
using SolProfiler.Telemetry.Probe;

namespace SolProfiler.Telemetry.Tests.Probe;

/// <summary>
/// Requests that survive servers closing connections under the client, and failures classified by where they happened
/// (connect, before_headers, mid_stream, http_status), through the client every command uses (<see cref="ServerHttp"/>).
/// </summary>
[Collection(ProbeTimingGroup.Name)]
public sealed class ConnectionFailureTests : IDisposable
{
    private readonly HttpClient _http = ServerHttp.CreateClient(new ServerHttpOptions { ConnectTimeout = TimeSpan.FromSeconds(5) });

    public void Dispose() => _http.Dispose();

    private static async Task ShortStream(ServerExchange x)
    {
        await x.StartStreamAsync();
        await x.EventAsync(Chunks.Completion("a"));
        await x.EventAsync(Chunks.Completion("b", finish: "length"));
        await x.EventAsync(Chunks.Usage(3, 2));
        await x.EventAsync("[DONE]");
        await x.EndAsync();
    }

    private StreamingProbe Probe(SseTestServer server) =>
        new(_http, new ProbeOptions { Endpoint = server.BaseUri, Model = "m", Api = ProbeApi.Completions, RequestTimeout = TimeSpan.FromSeconds(10) });

    [Fact]
    public async Task A_server_that_closes_after_each_streamed_response_without_saying_so_loses_no_request_at_concurrency_4()
    {
        // As llama-server: "Keep-Alive: timeout=5", then the connection is closed after every streamed response. The
        // closed-loop client reuses the connection before the FIN arrives. With a plain SocketsHttpHandler this failed
        // 16 of 40 requests "closed before the response headers" (two runs); the fresh-connection retry makes it 0.
        await using var server = new SseTestServer(ShortStream, advertiseKeepAlive: true);
        var handler = ServerHttp.CreateHandler();
        using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        var probe = new StreamingProbe(http, new ProbeOptions { Endpoint = server.BaseUri, Model = "m", Api = ProbeApi.Completions, RequestTimeout = TimeSpan.FromSeconds(10) });

        var summary = await new ProbeRunner(probe).RunAsync(40, 4);

        Assert.True(summary.Aggregate.Failed == 0, $"retries {handler.Retries}, of which failed {handler.RetriedFailures}, server saw {server.Requests.Count}: " + string.Join("; ", summary.Aggregate.Failures.Select(f => $"{f.Count} x {f.Kind}: {f.Reason}")));
        Assert.Equal(40, summary.Aggregate.Succeeded);
        // The failed attempts went to connections the server had already closed, so it ran each request exactly once.
        Assert.Equal(40, server.Requests.Count);
        Assert.Equal(0, handler.RetriedFailures);
    }

    [Fact]
    public async Task Connection_refused_is_connect_and_is_not_retried()
    {
        var port = Loopback.FreePort();
        var handler = ServerHttp.CreateHandler();
        using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        var probe = new StreamingProbe(http, new ProbeOptions { Endpoint = new Uri($"http://127.0.0.1:{port}"), Model = "m" });

        var r = await probe.RunAsync();

        Assert.Equal(ProbeFailureKind.Connect, r.Failure);
        Assert.Equal("connect", ProbeFailureKinds.Label(r.Failure));
        Assert.Equal(0, handler.Retries);
    }

    [Fact]
    public async Task A_server_that_closes_before_the_headers_on_a_fresh_connection_too_is_before_headers_after_one_retry()
    {
        await using var server = new SseTestServer(_ => Task.CompletedTask); // reads the request, closes without a byte
        var handler = ServerHttp.CreateHandler();
        using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        var probe = new StreamingProbe(http, new ProbeOptions { Endpoint = server.BaseUri, Model = "m" });

        var r = await probe.RunAsync();

        Assert.Equal(ProbeFailureKind.BeforeHeaders, r.Failure);
        Assert.Null(r.HttpStatus);
        Assert.Contains("before the response headers", r.FailureReason, StringComparison.Ordinal);
        Assert.Equal(2, server.Requests.Count); // the request and its one retry on a fresh connection
        Assert.Equal(1, handler.Retries);
        Assert.Equal(1, handler.RetriedFailures);
    }

    [Fact]
    public async Task A_body_cut_after_the_headers_is_mid_stream_and_is_never_retried()
    {
        await using var server = new SseTestServer(async x =>
        {
            await x.StartStreamAsync();
            await x.EventAsync(Chunks.Completion("a"));
            // no final chunk: the connection closes mid-response
        });

        var r = await Probe(server).RunAsync();

        Assert.Equal(ProbeFailureKind.MidStream, r.Failure);
        Assert.Equal("mid_stream", ProbeFailureKinds.Label(r.Failure));
        Assert.Equal(200, r.HttpStatus);
        Assert.Single(server.Requests); // response bytes arrived: a retry would count the load twice
    }

    [Fact]
    public async Task A_503_is_http_status_with_its_code_counted()
    {
        await using var server = new SseTestServer(x => x.Number % 2 == 0 ? x.RespondAsync(503, "{\"error\":\"overloaded\"}") : ShortStream(x));

        var summary = await new ProbeRunner(Probe(server)).RunAsync(4, 1);

        Assert.Equal(2, summary.Aggregate.Failed);
        Assert.All(summary.Results.Where(r => !r.Success), r => Assert.Equal(ProbeFailureKind.HttpStatus, r.Failure));
        Assert.Equal(new Dictionary<string, int> { ["http_status"] = 2 }, summary.Aggregate.FailuresByClass);
        Assert.Equal(new Dictionary<string, int> { ["503"] = 2 }, summary.Aggregate.HttpStatuses);
        Assert.Equal(4, server.Requests.Count);
    }

    [Fact]
    public async Task Failure_kinds_serialize_as_snake_case_labels()
    {
        await using var server = new SseTestServer(_ => Task.CompletedTask);
        var summary = await new ProbeRunner(Probe(server)).RunAsync(1, 1);

        var json = ProbeJson.Serialize(Probe(server).Options, summary);

        Assert.Contains("\"failure\": \"before_headers\"", json, StringComparison.Ordinal);
        Assert.Contains("\"before_headers\": 1", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_model_list_says_whether_the_endpoint_is_up()
    {
        var dead = new ProbeOptions { Endpoint = new Uri($"http://127.0.0.1:{Loopback.FreePort()}"), Model = "m" };
        var down = await ServedModels.ListAsync(_http, dead, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.False(down.Reachable);
        Assert.Equal(ProbeFailureKind.Connect, down.Unreachable);

        await using var closing = new SseTestServer(_ => Task.CompletedTask);
        var closed = await ServedModels.ListAsync(_http, new ProbeOptions { Endpoint = closing.BaseUri, Model = "m" }, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(ProbeFailureKind.BeforeHeaders, closed.Unreachable);

        await using var silent = new SseTestServer(x => x.HangAsync());
        var hung = await ServedModels.ListAsync(_http, new ProbeOptions { Endpoint = silent.BaseUri, Model = "m" }, TimeSpan.FromMilliseconds(300), CancellationToken.None);
        Assert.Equal(ProbeFailureKind.Timeout, hung.Unreachable);

        await using var noRoute = new SseTestServer(x => x.RespondAsync(404, "{}"));
        var missing = await ServedModels.ListAsync(_http, new ProbeOptions { Endpoint = noRoute.BaseUri, Model = "m" }, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.True(missing.Reachable); // it answered: up, just without a list
        Assert.Null(missing.Ids);

        await using var listing = new SseTestServer(x => x.RespondAsync(200, "{\"object\":\"list\",\"data\":[{\"id\":\"tiny-llama\",\"object\":\"model\"}]}"));
        var served = await ServedModels.ListAsync(_http, new ProbeOptions { Endpoint = listing.BaseUri, Model = "m" }, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(["tiny-llama"], served.Ids);
        Assert.Equal("/v1/models", Assert.Single(listing.Requests).Path);
    }

    [Fact]
    public void Only_a_connection_that_ended_or_was_reset_counts_as_closed_before_the_response()
    {
        Assert.True(FreshConnectionRetryHandler.IsClosedBeforeResponse(new HttpRequestException(HttpRequestError.ResponseEnded, "ended")));
        Assert.True(FreshConnectionRetryHandler.IsClosedBeforeResponse(new HttpRequestException("reset", new IOException("reset"))));
        Assert.False(FreshConnectionRetryHandler.IsClosedBeforeResponse(new HttpRequestException(HttpRequestError.ConnectionError, "refused")));
        Assert.False(FreshConnectionRetryHandler.IsClosedBeforeResponse(new HttpRequestException(HttpRequestError.InvalidResponse, "garbage")));
    }
}
