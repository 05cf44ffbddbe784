using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SolProfiler.Telemetry.Tests.Probe;

/// <summary>A request as the test server received it.</summary>
internal sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 (ephemeral port, loopback only) that hands each request to a scenario.
/// Responses are chunked and flushed per write with Nagle off, and the server records when each write left
/// (Stopwatch timestamps, the same monotonic clock as the probe), so tests compare client timings against actual
/// send times instead of nominal sleeps. Every connection is closed after its response: with <c>Connection: close</c>,
/// or, with <c>advertiseKeepAlive</c>, as llama.cpp's llama-server does after a streamed response: saying
/// <c>Keep-Alive: timeout=5, max=100</c> and closing anyway.
/// </summary>
internal sealed class SseTestServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<ServerExchange, Task> _scenario;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly ConcurrentBag<Task> _connections = [];
    private int _active;
    private int _maxActive;
    private int _count = -1;

    private readonly bool _advertiseKeepAlive;

    public SseTestServer(Func<ServerExchange, Task> scenario, bool advertiseKeepAlive = false)
    {
        _scenario = scenario;
        _advertiseKeepAlive = advertiseKeepAlive;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public Uri BaseUri => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public ConcurrentQueue<ServerExchange> Exchanges { get; } = new();

    /// <summary>The most scenarios that ran at the same time.</summary>
    public int MaxConcurrent => Volatile.Read(ref _maxActive);

    /// <summary>A port nothing listens on (bound, then released).</summary>
    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _connections.Add(HandleAsync(client));
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            client.NoDelay = true;
            var stream = client.GetStream();
            try
            {
                var request = await ReadRequestAsync(stream, _stop.Token);
                if (request is null)
                {
                    return;
                }

                Requests.Enqueue(request);
                // A response stops counting as active just before its last bytes are written: a client may send its
                // next request the moment it reads them, before this handler's own continuation runs (CI once saw 3
                // "concurrent" requests from 2 clients when the count went down only after the scenario returned).
                var counted = 1;
                void ResponseEnding()
                {
                    if (Interlocked.Exchange(ref counted, 0) == 1)
                    {
                        Interlocked.Decrement(ref _active);
                    }
                }

                var exchange = new ServerExchange(stream, request, Interlocked.Increment(ref _count), _stop.Token, _advertiseKeepAlive, ResponseEnding);
                Exchanges.Enqueue(exchange);
                var now = Interlocked.Increment(ref _active);
                int seen;
                while (now > (seen = Volatile.Read(ref _maxActive)) && Interlocked.CompareExchange(ref _maxActive, now, seen) != seen)
                {
                }

                try
                {
                    await _scenario(exchange);
                }
                finally
                {
                    ResponseEnding(); // a scenario that ended without a complete response (hang, drop, truncation)
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // the client went away or the server is stopping
            }
        }
    }

    private static async Task<RecordedRequest?> ReadRequestAsync(NetworkStream stream, CancellationToken token)
    {
        var buffer = new List<byte>();
        var one = new byte[4096];
        int headerEnd;
        while ((headerEnd = IndexOfHeaderEnd(buffer)) < 0)
        {
            var n = await stream.ReadAsync(one, token);
            if (n == 0)
            {
                return null;
            }

            buffer.AddRange(one.AsSpan(0, n));
        }

        var head = Encoding.ASCII.GetString(buffer.ToArray(), 0, headerEnd);
        var lines = head.Split("\r\n");
        var parts = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        var length = headers.TryGetValue("Content-Length", out var cl) ? int.Parse(cl, CultureInfo.InvariantCulture) : 0;
        var body = buffer.Skip(headerEnd + 4).ToList();
        while (body.Count < length)
        {
            var n = await stream.ReadAsync(one, token);
            if (n == 0)
            {
                return null;
            }

            body.AddRange(one.AsSpan(0, n));
        }

        return new RecordedRequest(parts[0], parts[1], headers, Encoding.UTF8.GetString(body.ToArray()));
    }

    private static int IndexOfHeaderEnd(List<byte> b)
    {
        for (var i = 0; i + 3 < b.Count; i++)
        {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        await Task.WhenAll(_connections);
        _stop.Dispose();
    }
}

/// <summary>One request/response on the test server, as a scenario sees it.</summary>
internal sealed class ServerExchange(NetworkStream stream, RecordedRequest request, int number, CancellationToken stopping, bool advertiseKeepAlive = false, Action? responseEnding = null)
{
    private readonly string _connectionHeader = advertiseKeepAlive ? "Keep-Alive: timeout=5, max=100" : "Connection: close";

    private readonly List<long> _sent = [];

    public RecordedRequest Request { get; } = request;

    /// <summary>0-based order in which the server received this request.</summary>
    public int Number { get; } = number;

    public CancellationToken Stopping { get; } = stopping;

    /// <summary>Stopwatch timestamps of each <see cref="SendAsync"/>/<see cref="EventAsync"/> write, after its flush.</summary>
    public IReadOnlyList<long> SentAt
    {
        get
        {
            lock (_sent)
            {
                return _sent.ToArray();
            }
        }
    }

    /// <summary>Status line and headers of a chunked streaming response.</summary>
    public async Task StartStreamAsync(int status = 200, string contentType = "text/event-stream")
    {
        var head = $"HTTP/1.1 {status} {Reason(status)}\r\nContent-Type: {contentType}\r\nTransfer-Encoding: chunked\r\nCache-Control: no-cache\r\n{_connectionHeader}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Stopping);
        await stream.FlushAsync(Stopping);
    }

    /// <summary>Writes raw text as one HTTP chunk and records when it left.</summary>
    public async Task SendAsync(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        var frame = Encoding.ASCII.GetBytes(payload.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n").Concat(payload).Concat("\r\n"u8.ToArray()).ToArray();
        await stream.WriteAsync(frame, Stopping);
        await stream.FlushAsync(Stopping);
        lock (_sent)
        {
            _sent.Add(Stopwatch.GetTimestamp());
        }
    }

    /// <summary>One <c>data:</c> event.</summary>
    /// <remarks><c>[DONE]</c> ends the response for an OpenAI client, which may send its next request on reading it.</remarks>
    public Task EventAsync(string data)
    {
        if (data == "[DONE]")
        {
            responseEnding?.Invoke();
        }

        return SendAsync("data: " + data + "\n\n");
    }

    public Task DelayAsync(int milliseconds) => Task.Delay(milliseconds, Stopping);

    /// <summary>The final zero-length chunk: a clean end of the response.</summary>
    public async Task EndAsync()
    {
        responseEnding?.Invoke();
        await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), Stopping);
        await stream.FlushAsync(Stopping);
    }

    /// <summary>A complete non-streaming response.</summary>
    public async Task RespondAsync(int status, string body, string contentType = "application/json")
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = $"HTTP/1.1 {status} {Reason(status)}\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\n{_connectionHeader}\r\n\r\n";
        responseEnding?.Invoke();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head).Concat(bytes).ToArray(), Stopping);
        await stream.FlushAsync(Stopping);
    }

    /// <summary>Waits until the server stops (a server that never answers).</summary>
    public async Task HangAsync()
    {
        try
        {
            await Task.Delay(Timeout.Infinite, Stopping);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        401 => "Unauthorized",
        503 => "Service Unavailable",
        500 => "Internal Server Error",
        _ => "Status",
    };
}

/// <summary>OpenAI-shaped stream chunks.</summary>
internal static class Chunks
{
    public static string Completion(string text, string? finish = null, int? cumulativeTokens = null) =>
        "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1736000000,\"model\":\"m\",\"choices\":[{\"index\":0,\"text\":"
        + Json(text) + ",\"logprobs\":null,\"finish_reason\":" + Nullable(finish) + "}]"
        + (cumulativeTokens is { } c ? ",\"usage\":" + UsageObject(7, c) : "") + "}";

    public static string Chat(string? content, string? role = null, string? finish = null) =>
        "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1736000000,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{"
        + (role is null ? "" : "\"role\":" + Json(role) + ",") + "\"content\":" + Nullable(content)
        + "},\"logprobs\":null,\"finish_reason\":" + Nullable(finish) + "}],\"usage\":null}";

    /// <summary>The usage-only chunk that <c>include_usage</c> adds at the end.</summary>
    public static string Usage(int prompt, int completion) =>
        "{\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1736000000,\"model\":\"m\",\"choices\":[],\"usage\":" + UsageObject(prompt, completion) + "}";

    private static string UsageObject(int prompt, int completion) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"{{\"prompt_tokens\":{prompt},\"completion_tokens\":{completion},\"total_tokens\":{prompt + completion}}}");

    private static string Nullable(string? s) => s is null ? "null" : Json(s);

    private static string Json(string s) => System.Text.Json.JsonSerializer.Serialize(s);
}
