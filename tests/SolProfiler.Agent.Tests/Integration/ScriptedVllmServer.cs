using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SolProfiler.Agent.Tests.Integration;

/// <summary>How the scripted endpoint answers /metrics.</summary>
public enum ScriptMode
{
    Healthy,
    Garbage,
    Html,
    Hang,

    /// <summary>Headers at once, then one byte of a valid body every 100 ms, for ever.</summary>
    SlowLoris,

    /// <summary>Announces the healthy body's length, sends half of it and drops the connection.</summary>
    Truncated,

    /// <summary><c>Content-Encoding: gzip</c> over bytes that start like gzip and are not.</summary>
    GzipCorrupt,

    /// <summary>A valid body of 20 MiB, chunked (no Content-Length), past the 16 MiB limit.</summary>
    Oversized,

    /// <summary>The healthy body plus 100,000 distinct series of a family the agent does not use.</summary>
    ManySeries,

    /// <summary>
    /// The healthy body under a 10 KiB model name full of escaped and raw control characters, plus 10,000 more engines
    /// (gauges only) whose model names change on every scrape.
    /// </summary>
    HostileLabels,

    /// <summary>Counters NaN and +Inf, the KV gauge -Inf.</summary>
    NonFinite,

    /// <summary>Counters negative.</summary>
    NegativeCounters,

    /// <summary>Counters that fall a little on every scrape (never back near zero, as a reset would).</summary>
    DecreasingCounters,

    /// <summary>HTTP 401 whose reason phrase and body echo the Authorization header the scraper sent.</summary>
    EchoKeyUnauthorized,

    /// <summary>The healthy body, with the Authorization header echoed as the model name and in a malformed line.</summary>
    EchoKeyInBody,
}

/// <summary>
/// A real HTTP server on 127.0.0.1 that publishes vLLM V1 metrics from a script the test controls: a steady decode
/// at a given step time and batch, whose counters grow with wall time. It can stop listening (server down), come back
/// on the same port, restart its counters (a server restart), or answer garbage, HTML or nothing at all.
/// </summary>
internal sealed class ScriptedVllmServer : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private WebApplication? _app;
    private DateTimeOffset _countersSince = DateTimeOffset.UtcNow;

    // A server that has already served a million tokens when the agent arrives: after a restart its counters read
    // lower on the very next scrape, however long the restart took, so the reset is always seen (Prometheus's rule).
    private double _baseTokens = 1e6;
    private int _scrapes;

    public int Port { get; private set; }

    public Uri MetricsUrl => new($"http://127.0.0.1:{Port}/metrics");

    public double StepSeconds { get; set; } = 0.020;

    public double Running { get; set; } = 32;

    public double KvUsage { get; set; } = 0.25;

    public int KvBlocks { get; set; } = 10_000;

    public ScriptMode Mode { get; set; } = ScriptMode.Healthy;

    /// <summary>The served model: the <c>model_name</c> label (unless <see cref="ModelLabel"/> is false) and the id <c>/v1/models</c> lists.</summary>
    public string ModelName { get; set; } = "scripted/model";

    /// <summary>False: the metrics carry no <c>model_name</c> label (as llama.cpp's and TGI's carry none).</summary>
    public bool ModelLabel { get; set; } = true;

    /// <summary>The <c>cache_dtype</c> label of <c>cache_config_info</c>; null = no such label.</summary>
    public string? CacheDtype { get; set; }

    /// <summary>The Authorization header of the last healthy scrape ("" without one).</summary>
    public string LastAuthorization { get; private set; } = "";

    /// <summary>The context per running sequence the script implies: usage x blocks x 16 / running.</summary>
    public double Context => KvUsage * KvBlocks * 16 / Running;

    public static async Task<ScriptedVllmServer> StartAsync()
    {
        var server = new ScriptedVllmServer();
        await server.ListenAsync(0).ConfigureAwait(false);
        return server;
    }

    /// <summary>Stops listening: scrapes now fail to connect.</summary>
    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Listens again on the same port; with <paramref name="resetCounters"/>, as a restarted server would.</summary>
    public async Task RestartAsync(bool resetCounters)
    {
        await StopAsync().ConfigureAwait(false);
        if (resetCounters)
        {
            lock (_lock)
            {
                _countersSince = DateTimeOffset.UtcNow;
                _baseTokens = 0;
            }
        }

        await ListenAsync(Port).ConfigureAwait(false);
    }

    private async Task ListenAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.MapGet("/metrics", Metrics);
        app.MapGet("/v1/models", () => Results.Json(new { @object = "list", data = new[] { new { id = ModelName, @object = "model", owned_by = "scripted" } } }));
        await app.StartAsync().ConfigureAwait(false);
        Port = new Uri(app.Urls.First()).Port;
        _app = app;
    }

    private async Task Metrics(HttpContext context)
    {
        switch (Mode)
        {
            case ScriptMode.Garbage:
                await context.Response.WriteAsync("\u0001\u0002 this is { not metrics\n", context.RequestAborted).ConfigureAwait(false);
                return;
            case ScriptMode.Html:
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<html><body>login</body></html>", context.RequestAborted).ConfigureAwait(false);
                return;
            case ScriptMode.Hang:
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted).ConfigureAwait(false);
                return;
            case ScriptMode.EchoKeyUnauthorized:
                var sent = context.Request.Headers.Authorization.ToString();
                context.Response.StatusCode = 401;
                context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseFeature>()!.ReasonPhrase = "Unauthorized " + sent;
                await context.Response.WriteAsync($"invalid credentials: {sent}\n", context.RequestAborted).ConfigureAwait(false);
                return;
            case ScriptMode.SlowLoris:
                context.Response.ContentType = "text/plain; version=0.0.4";
                await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                var body = Encoding.UTF8.GetBytes(Body());
                for (var i = 0; !context.RequestAborted.IsCancellationRequested; i = (i + 1) % body.Length)
                {
                    await context.Response.Body.WriteAsync(body.AsMemory(i, 1), context.RequestAborted).ConfigureAwait(false);
                    await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                    await Task.Delay(100, context.RequestAborted).ConfigureAwait(false);
                }

                return;
            case ScriptMode.Truncated:
                var full = Encoding.UTF8.GetBytes(Body());
                context.Response.ContentType = "text/plain; version=0.0.4";
                context.Response.ContentLength = full.Length;
                await context.Response.Body.WriteAsync(full.AsMemory(0, full.Length / 2), context.RequestAborted).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                context.Abort();
                return;
            case ScriptMode.GzipCorrupt:
                context.Response.ContentType = "text/plain; version=0.0.4";
                context.Response.Headers.ContentEncoding = "gzip";
                byte[] notGzip = [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, .. Encoding.ASCII.GetBytes("this is not deflate data at all {}\n\u0000")];
                await context.Response.Body.WriteAsync(notGzip, context.RequestAborted).ConfigureAwait(false);
                return;
            case ScriptMode.Oversized:
                context.Response.ContentType = "text/plain; version=0.0.4";
                var filler = Encoding.ASCII.GetBytes("# " + new string('x', 1020) + "\n");
                for (var written = 0; written < 20 << 20; written += filler.Length)
                {
                    await context.Response.Body.WriteAsync(filler, context.RequestAborted).ConfigureAwait(false);
                }

                return;
        }

        LastAuthorization = context.Request.Headers.Authorization.ToString();
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await context.Response.WriteAsync(Body(), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The exposition now: tokens = running / step x elapsed; one ITL observation of the step per token.</summary>
    private string Body()
    {
        double tokens;
        lock (_lock)
        {
            tokens = _baseTokens + (Running / StepSeconds * (DateTimeOffset.UtcNow - _countersSince).TotalSeconds);
        }

        var scrape = Interlocked.Increment(ref _scrapes);
        var itlSum = tokens * StepSeconds;
        var model = Mode == ScriptMode.EchoKeyInBody ? LastAuthorization.Replace("\"", "", StringComparison.Ordinal)
            : Mode == ScriptMode.HostileLabels
            ? "m-" + string.Concat(Enumerable.Repeat("\\n\\\"\u0007\u001b[31m\t\u00e9\u202e", 1024))
            : ModelName;
        var labels = ModelLabel || Mode is ScriptMode.EchoKeyInBody or ScriptMode.HostileLabels ? $"engine=\"0\",model_name=\"{model}\"" : "engine=\"0\"";
        var b = new StringBuilder();
        void Line(string text) => b.Append(text).Append('\n');
        string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        Line("# TYPE vllm:num_requests_running gauge");
        Line($"vllm:num_requests_running{{{labels}}} {N(Running)}");
        Line("# TYPE vllm:num_requests_waiting gauge");
        Line($"vllm:num_requests_waiting{{{labels}}} 0");
        Line("# TYPE vllm:kv_cache_usage_perc gauge");
        Line($"vllm:kv_cache_usage_perc{{{labels}}} {N(KvUsage)}");
        Line("# TYPE vllm:cache_config_info gauge");
        var dtype = CacheDtype is null ? "" : $"cache_dtype=\"{CacheDtype}\",";
        Line($"vllm:cache_config_info{{block_size=\"16\",{dtype}engine=\"0\",num_gpu_blocks=\"{KvBlocks}\"}} 1.0");
        Line("# TYPE vllm:generation_tokens_total counter");
        Line($"vllm:generation_tokens_total{{{labels}}} {N(Math.Floor(tokens))}");
        Line("# TYPE vllm:prompt_tokens_total counter");
        Line($"vllm:prompt_tokens_total{{{labels}}} {N(Math.Floor(tokens / 4))}");
        Line("# TYPE vllm:inter_token_latency_seconds histogram");
        foreach (var le in new[] { 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0 })
        {
            Line($"vllm:inter_token_latency_seconds_bucket{{{labels},le=\"{N(le)}\"}} {N(StepSeconds <= le ? tokens : 0)}");
        }

        Line($"vllm:inter_token_latency_seconds_bucket{{{labels},le=\"+Inf\"}} {N(tokens)}");
        Line($"vllm:inter_token_latency_seconds_sum{{{labels}}} {N(itlSum)}");
        Line($"vllm:inter_token_latency_seconds_count{{{labels}}} {N(tokens)}");
        switch (Mode)
        {
            case ScriptMode.ManySeries:
                Line("# TYPE scripted_noise_total counter");
                for (var i = 0; i < 100_000; i++)
                {
                    Line($"scripted_noise_total{{shard=\"{i}\"}} {i}");
                }

                break;
            case ScriptMode.EchoKeyInBody:
                Line($"this line is not metrics: {LastAuthorization}");
                break;
            case ScriptMode.HostileLabels:
                for (var i = 0; i < 10_000; i++)
                {
                    Line($"vllm:num_requests_waiting{{engine=\"x{i}\",model_name=\"s{scrape}-m{i}\"}} 1");
                }

                break;
        }

        return Mode switch
        {
            ScriptMode.NonFinite => Corrupt(b.ToString(), "NaN", "+Inf", "-Inf"),
            ScriptMode.NegativeCounters => Corrupt(b.ToString(), N(-tokens), N(-tokens), null),
            ScriptMode.DecreasingCounters => Corrupt(b.ToString(), N(1e9 - scrape * 1000.0), N(1e9 - scrape * 1000.0), null),
            _ => b.ToString(),
        };
    }

    /// <summary>Rewrites the token counters (and the ITL count) and the ITL sum; and the KV gauge when given.</summary>
    private static string Corrupt(string body, string counter, string sum, string? kvGauge)
    {
        var lines = body.Split('\n').Select(line =>
        {
            if (line.StartsWith('#') || line.Length == 0)
            {
                return line;
            }

            var value = line[(line.LastIndexOf(' ') + 1)..];
            var name = line[..line.IndexOf('{', StringComparison.Ordinal)];
            var replacement = name switch
            {
                "vllm:generation_tokens_total" or "vllm:prompt_tokens_total" or "vllm:inter_token_latency_seconds_count" => counter,
                "vllm:inter_token_latency_seconds_bucket" when value != "0" => counter,
                "vllm:inter_token_latency_seconds_sum" => sum,
                "vllm:kv_cache_usage_perc" when kvGauge is not null => kvGauge,
                _ => value,
            };
            return line[..(line.LastIndexOf(' ') + 1)] + replacement;
        });
        return string.Join('\n', lines);
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
