using System.Diagnostics;
using System.Text;
using SolProfiler.Telemetry.Http;
using SolProfiler.Telemetry.Serving;
using SolProfiler.Telemetry.Serving.Scraping;

namespace SolProfiler.Telemetry.Tests.Scraping;

/// <summary>
/// llama.cpp's <c>GET /slots</c>. The fixtures are real bodies of llama-server (commit 3f545be, CPU build in
/// ../shared/llamacpp) serving make_model.py's default 55 M random-weight model, started with
/// <c>--alias tiny-llama --metrics -np 4 -c 8192 -cb -t 2 --host 127.0.0.1 --no-webui</c>, captured with
/// <c>curl -s http://127.0.0.1:PORT/slots</c>: <c>llamacpp-slots-fresh.json</c> right after start (no request yet),
/// <c>llamacpp-slots-idle.json</c> after a sweep (slots keep their last task), <c>llamacpp-slots-busy.json</c> 1.5 s into
/// three concurrent 200-token streams of a 6-token prompt.
/// </summary>
public sealed class SlotsReaderTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

    private static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "slots", name));

    [Fact]
    public void Busy_slots_give_task_prompt_and_decoded_tokens()
    {
        var read = SlotsReader.Parse(Fixture("llamacpp-slots-busy.json"), At);

        Assert.Null(read.Problem);
        var slots = read.Slots!;
        Assert.Equal(At, slots.ReadAt);
        Assert.Equal([0, 1, 2, 3], slots.Slots.Select(s => s.Id));
        Assert.Equal(new SlotState(0, 3291, true, 6, 57), slots.Slots[0]); // n_prompt_tokens 63 counts the 57 generated ones too
        Assert.Equal(new SlotState(1, 3296, true, 6, 53), slots.Slots[1]);
        Assert.Equal(new SlotState(2, 3322, true, 6, 28), slots.Slots[2]);
        Assert.Equal(63, slots.Slots[0].ContextTokens);
        Assert.Equal(new SlotState(3, null, false, 0, 0), slots.Slots[3]); // finished: keeps id_task 3271 and 805 tokens, serves nothing
    }

    [Theory]
    [InlineData("llamacpp-slots-idle.json")]
    [InlineData("llamacpp-slots-fresh.json")]
    public void Idle_slots_hold_no_request(string fixture)
    {
        var read = SlotsReader.Parse(Fixture(fixture), At);

        Assert.Null(read.Problem);
        Assert.Equal(4, read.Slots!.Slots.Count);
        Assert.All(read.Slots.Slots, s => Assert.Equal(new SlotState(s.Id, null, false, 0, 0), s));
    }

    [Theory]
    [InlineData("", "empty body")]
    [InlineData("{\"error\":\"x\"}", "not a JSON array")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("[{\"is_processing\":true}]", "without an integer id")]
    [InlineData("[{\"id\":0,\"is_processing\":\"yes\"}]", "boolean is_processing")]
    [InlineData("[{\"id\":0,\"is_processing\":true", "malformed JSON")]
    [InlineData("[{\"id\":0,\"is_processing\":false}] x", "malformed JSON")]
    [InlineData("[{\"id\":0,\"is_processing\":false}][]", "malformed JSON")]
    public void Malformed_bodies_are_a_reason_not_an_exception(string body, string expected)
    {
        var read = SlotsReader.Parse(Encoding.UTF8.GetBytes(body), At);

        Assert.Null(read.Slots);
        Assert.Contains(expected, read.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Odd_values_are_read_as_nothing_rather_than_trusted()
    {
        var read = SlotsReader.Parse("[{\"id\":1,\"is_processing\":true,\"id_task\":-1,\"n_prompt_tokens\":-5,\"next_token\":{\"n_decoded\":3},\"params\":{\"a\":[1,{\"b\":2}]}}]"u8, At);

        Assert.Equal(new SlotState(1, null, true, 0, 0), Assert.Single(read.Slots!.Slots));
    }

    [Fact]
    public async Task Reads_slots_beside_the_metrics_url_with_the_same_key()
    {
        var body = Encoding.UTF8.GetString(Fixture("llamacpp-slots-busy.json"));
        string? path = null;
        await using var server = new LoopbackHttpServer((p, stream, ct) =>
        {
            path = p;
            return LoopbackHttpServer.Respond(stream, 200, "application/json; charset=utf-8", body, ct);
        });
        using var http = ServerHttp.CreateClient();

        var read = await SlotsReader.ReadAsync(http, new Uri($"http://user:pw@127.0.0.1:{server.Port}/metrics?x=1"), TimeSpan.FromSeconds(5), "sekrit");

        Assert.Null(read.Problem);
        Assert.Equal(4, read.Slots!.Slots.Count);
        Assert.Equal("/slots", path);
        Assert.Equal("Bearer sekrit", server.LastAuthorization);
    }

    [Fact]
    public async Task An_oversized_body_is_refused()
    {
        var body = "[" + string.Join(",", Enumerable.Range(0, 2000).Select(i => $"{{\"id\":{i},\"is_processing\":false,\"pad\":\"{new string('x', 100)}\"}}")) + "]";
        await using var server = new LoopbackHttpServer((_, stream, ct) => LoopbackHttpServer.Respond(stream, 200, "application/json", body, ct));
        using var http = ServerHttp.CreateClient();

        var read = await SlotsReader.ReadAsync(http, server.Url(), TimeSpan.FromSeconds(5), null, maxBytes: 64 * 1024);

        Assert.Null(read.Slots);
        Assert.Contains("byte limit", read.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_llamacpp_scrape_carries_the_slots_on_its_samples()
    {
        var metrics = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "llamacpp", "metrics.prom"));
        var slots = Encoding.UTF8.GetString(Fixture("llamacpp-slots-busy.json"));
        await using var server = new LoopbackHttpServer((p, stream, ct) => p == "/slots"
            ? LoopbackHttpServer.Respond(stream, 200, "application/json", slots, ct)
            : LoopbackHttpServer.Respond(stream, 200, "text/plain; version=0.0.4", metrics, ct));
        using var http = ServerHttp.CreateClient();
        var scraper = new ServingScraper(http);

        for (var i = 0; i < 2; i++) // the first scrape reads /slots after detecting llama.cpp, the second beside the metrics
        {
            var scrape = await scraper.ScrapeAsync(new ScrapeOptions { Url = server.Url() });

            Assert.False(scrape.Failed, scrape.FailureReason);
            Assert.Equal(ServerKind.LlamaCpp, scrape.Server);
            Assert.Null(scrape.SlotsProblem);
            Assert.All(scrape.Samples, s => Assert.Equal(3, s.Slots!.Slots.Count(x => x.Processing)));
        }
    }

    [Fact]
    public async Task A_server_started_with_no_slots_still_scrapes_and_says_why_once()
    {
        var metrics = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "llamacpp", "metrics.prom"));
        const string NotSupported = "{\"error\":{\"code\":501,\"message\":\"This server does not support slots endpoint. Start it with `--slots`\",\"type\":\"not_supported_error\"}}";
        await using var server = new LoopbackHttpServer((p, stream, ct) => p == "/slots"
            ? LoopbackHttpServer.Respond(stream, 501, "application/json", NotSupported, ct)
            : LoopbackHttpServer.Respond(stream, 200, "text/plain; version=0.0.4", metrics, ct));
        using var http = ServerHttp.CreateClient();

        var scrape = await new ServingScraper(http).ScrapeAsync(new ScrapeOptions { Url = server.Url() });

        Assert.False(scrape.Failed, scrape.FailureReason);
        Assert.NotEmpty(scrape.Samples);
        Assert.All(scrape.Samples, s => Assert.Null(s.Slots));
        Assert.Contains("HTTP 501 (started with --no-slots?)", scrape.SlotsProblem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Slots_that_never_answer_cost_the_scrape_no_more_than_its_own_timeout()
    {
        var metrics = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "llamacpp", "metrics.prom"));
        await using var server = new LoopbackHttpServer(async (p, stream, ct) =>
        {
            if (p == "/slots")
            {
                await Task.Delay(Timeout.Infinite, ct);
            }

            await LoopbackHttpServer.Respond(stream, 200, "text/plain; version=0.0.4", metrics, ct);
        });
        using var http = ServerHttp.CreateClient();
        var clock = Stopwatch.StartNew();

        var scrape = await new ServingScraper(http).ScrapeAsync(new ScrapeOptions { Url = server.Url(), Timeout = TimeSpan.FromMilliseconds(500) });

        Assert.False(scrape.Failed, scrape.FailureReason);
        Assert.Contains("no answer", scrape.SlotsProblem, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), clock.Elapsed.ToString());
    }

    [Fact]
    public async Task Other_servers_get_no_slots_read()
    {
        var vllm = File.ReadAllText(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "vllm-v1"), "*.prom")[0]);
        var paths = new List<string>();
        await using var server = new LoopbackHttpServer((p, stream, ct) =>
        {
            lock (paths)
            {
                paths.Add(p);
            }

            return LoopbackHttpServer.Respond(stream, 200, "text/plain; version=0.0.4", vllm, ct);
        });
        using var http = ServerHttp.CreateClient();

        var scrape = await new ServingScraper(http).ScrapeAsync(new ScrapeOptions { Url = server.Url() });

        Assert.NotEqual(ServerKind.LlamaCpp, scrape.Server);
        Assert.Null(scrape.SlotsProblem);
        Assert.Equal(["/metrics"], paths);
    }
}
