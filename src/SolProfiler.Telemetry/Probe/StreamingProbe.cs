using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

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
        _body = ProbeRequestBody.Build(options);
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

        var m = new ProbeMeasurement(_time, Options.MaxTokens);
        m.Start = _time.GetTimestamp(); // t0: just before the request is sent
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            m.HttpStatus = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var excerpt = await ReasonText.ReadExcerptAsync(response.Content, token).ConfigureAwait(false);
                return Finish(m, ProbeFailureKind.HttpStatus, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}: {excerpt}");
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (mediaType is not null && !mediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase))
            {
                var excerpt = await ReasonText.ReadExcerptAsync(response.Content, token).ConfigureAwait(false);
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
                        return Finish(m, ProbeFailureKind.StreamError, "server sent an error event: " + ReasonText.ErrorText(sse.Data), now);
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
            return Finish(m, ConnectionFailures.ClassifyBeforeHeaders(e), ConnectionFailures.ConnectionReason(Options.Endpoint, e));
        }
        catch (Exception e) when (e is HttpRequestException or IOException or SseFormatException or ObjectDisposedException)
        {
            return Finish(m, ProbeFailureKind.MidStream, $"broken stream after {m.ContentChunks} content chunks: {ReasonText.Message(e)}");
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or UriFormatException)
        {
            return Finish(m, m.HttpStatus is null ? ProbeFailureKind.Connect : ProbeFailureKind.MidStream, $"request failed: {ReasonText.Message(e)}");
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
        var m = new ProbeMeasurement(TimeProvider.System, maxTokens: 16) { Start = TimeProvider.System.GetTimestamp() };
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(sample));
        var reader = new SseReader(stream);
        while (reader.ReadEventAsync().AsTask().GetAwaiter().GetResult() is { } e && e.Data != "[DONE]")
        {
            m.OnChunk(e.Data, TimeProvider.System.GetTimestamp());
        }

        _ = m.ToResult(TimeProvider.System.GetTimestamp(), ProbeFailureKind.None, null);
    }

    private ProbeResult Finish(ProbeMeasurement m, ProbeFailureKind kind, string? reason, long? now = null) =>
        m.ToResult(now ?? _time.GetTimestamp(), kind, reason is null ? null : CleanReason(reason));

    /// <summary>One line, the key scrubbed, at most <see cref="MaxReasonLength"/> characters.</summary>
    internal string CleanReason(string reason)
    {
        return ReasonText.OneLine(Serving.Scraping.KeyRedaction.Redact(reason, _apiKey), MaxReasonLength);
    }

    private static string Seconds(double s) => s.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
