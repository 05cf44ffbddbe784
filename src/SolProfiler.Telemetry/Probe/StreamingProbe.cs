using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace SolProfiler.Telemetry.Probe;

/// <summary>
/// Sends one streaming request to an OpenAI-compatible server (<c>/v1/completions</c> or <c>/v1/chat/completions</c>,
/// <c>stream: true</c>, <c>stream_options.include_usage</c>) and times the tokens as they arrive.
/// Every failure (HTTP status, timeout, refused connection, error event, broken stream) comes back as a
/// <see cref="ProbeResult"/> with a one-line reason; only cancellation by the caller's token throws.
/// The API key is read once, sent only as <c>Authorization: Bearer</c>, and scrubbed from every reason text.
/// Thread-safe: one probe may run many requests at once.
/// </summary>
public sealed class StreamingProbe
{
    private const int MaxReasonLength = 300;
    private const int BodyExcerptBytes = 2048;
    private const int BodyExcerptChars = 200;

    private static int _warmedUp;

    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly string? _apiKey;
    private readonly byte[] _body;

    /// <summary>Validates the options and loads the API key; throws <see cref="ProbeOptionsException"/> when either is bad.</summary>
    public StreamingProbe(HttpClient httpClient, ProbeOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _http = httpClient;
        Options = options;
        _time = timeProvider ?? TimeProvider.System;
        _apiKey = ApiKeySource.Resolve(options);
        _body = BuildBody(options);
        if (Interlocked.Exchange(ref _warmedUp, 1) == 0)
        {
            WarmUp();
        }
    }

    public ProbeOptions Options { get; }

    /// <summary>True when an API key was loaded (the key itself is not exposed).</summary>
    public bool HasApiKey => _apiKey is not null;

    /// <summary>The JSON body sent with every request (no key in it).</summary>
    public string RequestBody => Encoding.UTF8.GetString(_body);

    /// <summary>Runs one request. Never throws for a failed request; throws <see cref="OperationCanceledException"/> only when <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task<ProbeResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var timeout = Options.RequestTimeout;
        using var timeoutSource = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        var token = linked.Token;
        using var request = new HttpRequestMessage(HttpMethod.Post, Options.RequestUri) { Content = new ByteArrayContent(_body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (_apiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        }

        var m = new Measurement(_time, Options.MaxTokens);
        m.Start = _time.GetTimestamp(); // t0: just before the request is sent
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            m.HttpStatus = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var excerpt = await ReadExcerptAsync(response.Content, token).ConfigureAwait(false);
                return Finish(m, ProbeFailureKind.HttpStatus, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}: {excerpt}");
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (mediaType is not null && !mediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase))
            {
                var excerpt = await ReadExcerptAsync(response.Content, token).ConfigureAwait(false);
                return Finish(m, ProbeFailureKind.HttpStatus, $"HTTP {(int)response.StatusCode} but content type {mediaType}, not text/event-stream: {excerpt}");
            }

            var stream = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var reader = new SseReader(stream);
                while (true)
                {
                    var sse = await reader.ReadEventAsync(token).ConfigureAwait(false);
                    var now = _time.GetTimestamp();
                    if (sse is null)
                    {
                        if (m.FinishReason is not null)
                        {
                            return Finish(m, ProbeFailureKind.None, null, now); // lenient: finished, but the server omitted [DONE]
                        }

                        var where = reader.EndedInsideLine ? " in the middle of a line" : "";
                        return Finish(m, ProbeFailureKind.MidStream, $"stream closed{where} before [DONE] after {m.ContentChunks} content chunks", now);
                    }

                    if (sse.EventType.Equals("error", StringComparison.OrdinalIgnoreCase))
                    {
                        return Finish(m, ProbeFailureKind.StreamError, "server sent an error event: " + ErrorText(sse.Data), now);
                    }

                    if (sse.Data.Trim() == "[DONE]")
                    {
                        return Finish(m, ProbeFailureKind.None, null, now);
                    }

                    var (kind, reason) = m.OnChunk(sse.Data, now);
                    if (kind != ProbeFailureKind.None)
                    {
                        return Finish(m, kind, reason, now);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            var what = m.HttpStatus is null
                ? "waiting for response headers"
                : $"mid-stream after {m.ContentChunks} content chunks";
            var limit = timeoutSource.IsCancellationRequested ? Seconds(timeout.TotalSeconds) : "the HttpClient timeout";
            return Finish(m, ProbeFailureKind.Timeout, $"timed out after {limit} {what}");
        }
        catch (HttpRequestException e) when (m.HttpStatus is null)
        {
            // No headers: the request never got an answer (a stale pooled connection was already retried once on a
            // fresh one by FreshConnectionRetryHandler where the client was made by ServerHttp).
            return Finish(m, ClassifyBeforeHeaders(e), ConnectionReason(e));
        }
        catch (Exception e) when (e is HttpRequestException or IOException or SseFormatException or ObjectDisposedException)
        {
            return Finish(m, ProbeFailureKind.MidStream, $"broken stream after {m.ContentChunks} content chunks: {Message(e)}");
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or UriFormatException)
        {
            return Finish(m, m.HttpStatus is null ? ProbeFailureKind.Connect : ProbeFailureKind.MidStream, $"request failed: {Message(e)}");
        }
    }

    /// <summary>
    /// Runs the chunk path once on canned data, so JIT compilation does not land between two timed chunks of the
    /// first real request (where it would stretch one gap and shrink the next by tens of milliseconds).
    /// </summary>
    private static void WarmUp()
    {
        const string sample =
            ": warm\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"a\"},\"finish_reason\":null}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}\n\n" +
            "data: {\"choices\":[{\"index\":0,\"text\":\"b\",\"finish_reason\":\"length\"}],\"usage\":null}\r\n\r\n" +
            "data: [DONE]\n\n";
        var m = new Measurement(TimeProvider.System, maxTokens: 16) { Start = TimeProvider.System.GetTimestamp() };
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(sample));
        var reader = new SseReader(stream);
        while (reader.ReadEventAsync().AsTask().GetAwaiter().GetResult() is { } e && e.Data != "[DONE]")
        {
            m.OnChunk(e.Data, TimeProvider.System.GetTimestamp());
        }

        _ = m.ToResult(TimeProvider.System.GetTimestamp(), ProbeFailureKind.None, null);
    }

    private ProbeResult Finish(Measurement m, ProbeFailureKind kind, string? reason, long? now = null) =>
        m.ToResult(now ?? _time.GetTimestamp(), kind, reason is null ? null : CleanReason(reason));

    /// <summary>Where a request that got no headers failed: getting a connection at all, or on the connection before the headers.</summary>
    internal static ProbeFailureKind ClassifyBeforeHeaders(HttpRequestException e) => e.HttpRequestError switch
    {
        HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError
            or HttpRequestError.ProxyTunnelError => ProbeFailureKind.Connect,

        // A socket error with no HttpRequestError (older paths): refused/unreachable are connect failures, a reset is not.
        HttpRequestError.Unknown when SocketCode(e) is SocketError.ConnectionRefused or SocketError.HostNotFound
            or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.TimedOut => ProbeFailureKind.Connect,
        _ => ProbeFailureKind.BeforeHeaders,
    };

    private static SocketError? SocketCode(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.SocketErrorCode;
            }
        }

        return null;
    }

    private string ConnectionReason(HttpRequestException e)
    {
        var target = $"{Options.Endpoint.Host}:{Options.Endpoint.Port}";
        var connect = ClassifyBeforeHeaders(e) == ProbeFailureKind.Connect;
        if (SocketCode(e) is { } code)
        {
            return code switch
            {
                SocketError.ConnectionRefused => $"connection refused by {target}",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => $"cannot resolve host {Options.Endpoint.Host}",
                SocketError.TimedOut => $"connection to {target} timed out",
                SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown when !connect
                    => $"connection to {target} reset before the response headers",
                _ => connect ? $"cannot connect to {target}: {code}" : $"connection to {target} failed before the response headers: {code}",
            };
        }

        return e.HttpRequestError switch
        {
            HttpRequestError.ResponseEnded => $"connection to {target} closed before the response headers",
            HttpRequestError.InvalidResponse => $"invalid response from {target} before the headers: {Message(e)}",
            HttpRequestError.NameResolutionError => $"cannot resolve host {Options.Endpoint.Host}",
            HttpRequestError.SecureConnectionError => $"TLS handshake with {target} failed: {Message(e)}",
            _ => $"request to {target} failed: {Message(e)}",
        };
    }

    private static string Message(Exception e) =>
        e.InnerException is { } inner && inner.Message != e.Message ? $"{e.Message} ({inner.Message})" : e.Message;

    /// <summary>One line, the key scrubbed, at most <see cref="MaxReasonLength"/> characters.</summary>
    internal string CleanReason(string reason)
    {
        return OneLine(Serving.Scraping.KeyRedaction.Redact(reason, _apiKey), MaxReasonLength);
    }

    internal static string OneLine(string text, int maxLength)
    {
        var sb = new StringBuilder(Math.Min(text.Length, maxLength + 1));
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = sb.Length > 0;
                continue;
            }

            if (space)
            {
                sb.Append(' ');
                space = false;
            }

            sb.Append(c);
            if (sb.Length >= maxLength)
            {
                sb.Length = maxLength - 1;
                sb.Append('…');
                break;
            }
        }

        return sb.ToString();
    }

    private static async Task<string> ReadExcerptAsync(HttpContent content, CancellationToken token)
    {
        var stream = await content.ReadAsStreamAsync(token).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[BodyExcerptBytes];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), token).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            var text = OneLine(Encoding.UTF8.GetString(buffer, 0, total), BodyExcerptChars);
            return text.Length == 0 ? "(empty body)" : text;
        }
    }

    /// <summary>The message of an OpenAI-style error payload (<c>{"error": {"message": …}}</c>, <c>{"message": …}</c>), else the raw text.</summary>
    private static string ErrorText(string data)
    {
        try
        {
            using var doc = JsonDocument.Parse(data);
            return ErrorText(doc.RootElement);
        }
        catch (JsonException)
        {
            return data;
        }
    }

    private static string ErrorText(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                return e.GetString() ?? "";
            case JsonValueKind.Object:
                if (e.TryGetProperty("error", out var inner) && inner.ValueKind is JsonValueKind.Object or JsonValueKind.String)
                {
                    return ErrorText(inner);
                }

                var message = e.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                var code = e.TryGetProperty("code", out var c) && c.ValueKind is JsonValueKind.Number or JsonValueKind.String ? c.ToString() : null;
                if (message is not null)
                {
                    return code is null ? message : $"{message} (code {code})";
                }

                return e.GetRawText();
            default:
                return e.GetRawText();
        }
    }

    private static byte[] BuildBody(ProbeOptions o)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("model", o.Model);
            if (o.Api == ProbeApi.Chat)
            {
                w.WriteStartArray("messages");
                w.WriteStartObject();
                w.WriteString("role", "user");
                w.WriteString("content", o.Prompt);
                w.WriteEndObject();
                w.WriteEndArray();
            }
            else
            {
                w.WriteString("prompt", o.Prompt);
            }

            // max_tokens rather than max_completion_tokens: every server in serving-metrics §11 accepts it on both routes.
            w.WriteNumber("max_tokens", o.MaxTokens);
            w.WriteBoolean("stream", true);
            w.WriteStartObject("stream_options");
            w.WriteBoolean("include_usage", true);
            if (o.ContinuousUsageStats)
            {
                w.WriteBoolean("continuous_usage_stats", true);
            }

            w.WriteEndObject();
            if (o.IgnoreEos)
            {
                w.WriteBoolean("ignore_eos", true);
            }

            if (o.MinTokens is { } min)
            {
                w.WriteNumber("min_tokens", min);
            }

            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string Seconds(double s) => s.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    /// <summary>The running measurement of one request that asked for at most <paramref name="maxTokens"/> tokens.</summary>
    private sealed class Measurement(TimeProvider time, int maxTokens)
    {
        private readonly List<double> _gaps = [];
        private long? _firstContent;
        private long? _lastContent;
        private int _countedTokens;
        private bool _allChunksCounted = true;
        private int? _usageTokens;
        private int? _promptTokens;

        public long Start { get; set; }

        public int? HttpStatus { get; set; }

        public int ContentChunks { get; private set; }

        public string? FinishReason { get; private set; }

        /// <summary>Reads one chunk; returns a failure kind and reason when the chunk is an error or unreadable.</summary>
        public (ProbeFailureKind Kind, string? Reason) OnChunk(string data, long now)
        {
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(data);
            }
            catch (JsonException)
            {
                return (ProbeFailureKind.MidStream, "malformed chunk (not JSON): " + OneLine(data, 120));
            }

            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    return (ProbeFailureKind.MidStream, "malformed chunk (not a JSON object): " + OneLine(data, 120));
                }

                // vLLM and others report a failure mid-stream as data: {"error": {...}}.
                if (root.TryGetProperty("error", out var error) && error.ValueKind is JsonValueKind.Object or JsonValueKind.String)
                {
                    return (ProbeFailureKind.StreamError, "server error in stream: " + ErrorText(error));
                }

                int? chunkUsage = null;
                if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
                {
                    if (usage.TryGetProperty("completion_tokens", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var completion))
                    {
                        chunkUsage = completion;
                        _usageTokens = completion;
                    }

                    if (usage.TryGetProperty("prompt_tokens", out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out var prompt))
                    {
                        _promptTokens = prompt;
                    }
                }

                var content = false;
                if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
                {
                    foreach (var choice in choices.EnumerateArray())
                    {
                        if (choice.ValueKind != JsonValueKind.Object)
                        {
                            continue;
                        }

                        content |= HasText(choice, "text");
                        if (choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
                        {
                            content |= HasText(delta, "content") || HasText(delta, "reasoning_content") || HasText(delta, "reasoning")
                                || (delta.TryGetProperty("tool_calls", out var tools) && tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() > 0);
                        }

                        if (choice.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String)
                        {
                            FinishReason = finish.GetString();
                        }
                    }
                }

                if (content)
                {
                    OnContent(now, chunkUsage);
                }

                return (ProbeFailureKind.None, null);
            }
        }

        private static bool HasText(JsonElement obj, string name) =>
            obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 };

        private void OnContent(long now, int? chunkUsage)
        {
            // Tokens in this chunk: known only when the chunk carries cumulative usage (vLLM continuous_usage_stats,
            // or servers that send usage on every chunk); otherwise one is assumed.
            // A cumulative count over the request's max_tokens cannot be true; trusted, it would make the split below
            // add as many samples as the stream claims (2^31 from one line: OutOfMemoryException; found by fuzzing),
            // so such a chunk is taken as one of unknown count.
            var tokens = 1;
            if (chunkUsage is { } cumulative && cumulative > _countedTokens && cumulative <= maxTokens)
            {
                tokens = cumulative - _countedTokens;
            }
            else
            {
                _allChunksCounted = false;
            }

            _countedTokens += tokens;
            if (_lastContent is { } previous)
            {
                // One gap per content chunk after the first. When the chunk carries k tokens the gap is split evenly
                // into k samples of gap/k, as SGLang's bench_serving does, so the samples stay per token and their sum
                // still equals last - first content time. vLLM's `bench serve` keeps one sample per chunk instead
                // (its ITL is per chunk); we do that too when the token count of a chunk is unknown.
                var gap = Seconds(previous, now);
                for (var i = 0; i < tokens; i++)
                {
                    _gaps.Add(gap / tokens);
                }
            }
            else
            {
                _firstContent = now;
            }

            _lastContent = now;
            ContentChunks++;
        }

        /// <summary>Seconds between two timestamps, without rounding to TimeSpan ticks (so gaps add up exactly).</summary>
        private double Seconds(long from, long to) => (to - from) / (double)time.TimestampFrequency;

        public ProbeResult ToResult(long now, ProbeFailureKind kind, string? reason)
        {
            var outputTokens = _usageTokens ?? _countedTokens;
            double? tpot = null;
            if (_firstContent is { } first && _lastContent is { } last && outputTokens >= 2 && ContentChunks >= 2)
            {
                tpot = Seconds(first, last) / (outputTokens - 1);
            }

            return new ProbeResult
            {
                Failure = kind,
                FailureReason = kind == ProbeFailureKind.None ? null : reason,
                HttpStatus = HttpStatus,
                TtftSeconds = _firstContent is { } f ? Seconds(Start, f) : null,
                EndToEndSeconds = _lastContent is { } l ? Seconds(Start, l) : null,
                TotalSeconds = Seconds(Start, now),
                InterTokenGapsSeconds = _gaps.ToArray(),
                TpotSeconds = tpot,
                OutputTokens = outputTokens,
                OutputTokenSource = _usageTokens is null ? TokenCountSource.ContentChunks : TokenCountSource.Usage,
                ContentChunks = ContentChunks,
                GapsPerToken = ContentChunks > 0 && _allChunksCounted,
                PromptTokens = _promptTokens,
                FinishReason = FinishReason,
            };
        }
    }
}
