using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using SolProfiler.Telemetry.Probe;

namespace SolProfiler.Fuzz;

/// <summary>
/// The SSE reader on one untrusted stream, and the streaming probe on the same bytes as its response body: the widest
/// path from bytes without a network (HTTP response, <see cref="SseReader"/>, the JSON chunks, errors, timings). The
/// HTTP exchange goes through an in-memory <see cref="HttpMessageHandler"/>; nothing is sent anywhere.
/// Expected outcomes: events then the end, or <see cref="SseFormatException"/> past a limit; the probe never throws
/// (every failure is a <see cref="ProbeResult"/>). Anything else, or a broken invariant, throws (a crash for the fuzzer).
/// Not thread-safe: one instance per thread.
/// </summary>
internal sealed class SseTarget : IDisposable
{
    /// <summary>The probe's max_tokens: the most tokens any stream can truthfully claim.</summary>
    public const int ProbeMaxTokens = 64;

    private readonly CannedHandler _handler = new();
    private readonly HttpClient _http;
    private readonly StreamingProbe _probe;

    public SseTarget()
    {
        _http = new HttpClient(_handler);
        _probe = new StreamingProbe(
            _http,
            new ProbeOptions
            {
                Endpoint = new Uri("http://fuzz.invalid:8000"),
                Model = "fuzz-model",
                Api = ProbeApi.Chat,
                Prompt = "hello",
                MaxTokens = ProbeMaxTokens,
                RequestTimeout = TimeSpan.FromMinutes(10),
            },
            new StepTimeProvider());
    }

    public void Dispose() => _http.Dispose();

    public void Run(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var salt = FuzzInvariantException.Salt(input);
        var lines = FuzzInvariantException.CountNewlines(input);

        var whole = Read(new MemoryStream(input, writable: false), SseLimits.Default, 16 * 1024, lines);
        var chunked = Read(new ChunkedStream(input, ChunkedStream.Pattern(salt)), SseLimits.Default, 1 + (int)(salt % 64), lines);
        Same(whole, chunked, "default limits");

        var small = new SseLimits { MaxLineBytes = 1 + (int)((salt >> 6) % 200), MaxEventBytes = 1 + (int)((salt >> 14) % 1024) };
        var smallWhole = Read(new ChunkedStream(input, []), small, 16 * 1024, lines);
        var smallChunked = Read(new ChunkedStream(input, ChunkedStream.Pattern(salt >> 3)), small, 1 + (int)((salt >> 24) % 16), lines);
        Same(smallWhole, smallChunked, "small limits");

        _ = Probe(input, salt, HttpStatusCode.OK, "text/event-stream", lines);
        if ((salt & 0x30) == 0)
        {
            _ = Probe(input, salt, HttpStatusCode.InternalServerError, "application/json", lines); // error body excerpt path
        }
    }

    private static void Same(string a, string b, string what)
    {
        if (!string.Equals(a, b, StringComparison.Ordinal))
        {
            throw new FuzzInvariantException($"SSE stream read in other chunks gave other events ({what}):\n{Cut(a)}\nvs\n{Cut(b)}");
        }
    }

    private static string Cut(string s) => s.Length > 400 ? s[..400] + "…" : s;

    /// <summary>Reads every event, checks each, and returns a transcript (events, then how the stream ended).</summary>
    private static string Read(Stream stream, SseLimits limits, int bufferSize, int lines)
    {
        var reader = new SseReader(stream, limits, bufferSize);
        var sb = new StringBuilder();
        var events = 0;
        try
        {
            while (reader.ReadEventAsync().AsTask().GetAwaiter().GetResult() is { } e)
            {
                events++;
                FuzzInvariantException.Check(events <= lines, $"{events} events from {lines} lines");
                FuzzInvariantException.Check(e.EventType.Length > 0, "event with an empty type");
                FuzzInvariantException.Check(e.Data.Length > 0, "event with no data returned");
                FuzzInvariantException.Check(e.Data.Length <= limits.MaxEventBytes, $"event data of {e.Data.Length} chars over MaxEventBytes {limits.MaxEventBytes}");
                FuzzInvariantException.Check(e.Id is null || !e.Id.Contains('\0', StringComparison.Ordinal), "event id with NUL");
                FuzzInvariantException.Check(!e.EventType.Contains('\n', StringComparison.Ordinal), "event type with a newline");
                sb.Append(CultureInfo.InvariantCulture, $"E {e.EventType}|{e.Id}|{e.Data}\n");
            }

            FuzzInvariantException.Check(reader.ReadEventAsync().AsTask().GetAwaiter().GetResult() is null, "an event after the end of the stream");
            sb.Append(CultureInfo.InvariantCulture, $"END inside={reader.EndedInsideLine}");
        }
        catch (SseFormatException e)
        {
            sb.Append("REFUSED ").Append(e.Message);
        }

        FuzzInvariantException.Check(reader.CommentLines <= lines, $"{reader.CommentLines} comments from {lines} lines");
        return sb.Append(CultureInfo.InvariantCulture, $" comments={reader.CommentLines}").ToString();
    }

    /// <summary>Runs the probe once with <paramref name="body"/> as a 200 text/event-stream response; checks and returns the result.</summary>
    public ProbeResult Probe(byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Probe(body, FuzzInvariantException.Salt(body), HttpStatusCode.OK, "text/event-stream", FuzzInvariantException.CountNewlines(body));
    }

    private ProbeResult Probe(byte[] input, uint salt, HttpStatusCode status, string mediaType, int lines)
    {
        _handler.Body = input;
        _handler.Chunks = ChunkedStream.Pattern(salt ^ 0x5bd1e995u);
        _handler.Status = status;
        _handler.MediaType = mediaType;
        var r = _probe.RunAsync().GetAwaiter().GetResult(); // documented never to throw but for the caller's cancellation

        FuzzInvariantException.Check(r.HttpStatus == (int)status, $"HTTP status {r.HttpStatus}, server sent {(int)status}");
        FuzzInvariantException.Check(r.Success == (r.FailureReason is null), $"success {r.Success} with reason «{r.FailureReason}»");
        FuzzInvariantException.Check(status == HttpStatusCode.OK || r.Failure == ProbeFailureKind.HttpStatus, $"HTTP {(int)status} reported as {r.Failure}");
        if (r.FailureReason is { } reason)
        {
            FuzzInvariantException.Check(reason.Length <= 300, $"reason of {reason.Length} chars");
            FuzzInvariantException.Check(!reason.Any(char.IsControl), "reason with a control character: " + reason);
        }

        FuzzInvariantException.Check(r.ContentChunks <= lines, $"{r.ContentChunks} content chunks from {lines} lines");
        // The request asked for at most ProbeMaxTokens tokens: whatever the stream claims, the gaps kept stay bounded by
        // that and by the chunks actually received (memory must not follow a number written in the stream).
        FuzzInvariantException.Check(
            r.InterTokenGapsSeconds.Count <= ProbeMaxTokens + r.ContentChunks,
            $"{r.InterTokenGapsSeconds.Count} inter-token gaps from {r.ContentChunks} content chunks (max tokens {ProbeMaxTokens})");
        FuzzInvariantException.Check(r.InterTokenGapsSeconds.All(g => double.IsFinite(g) && g >= 0), "a negative or non-finite gap");
        FuzzInvariantException.Check(double.IsFinite(r.TotalSeconds) && r.TotalSeconds >= 0, "bad total time");
        FuzzInvariantException.Check(r.TtftSeconds is null || (r.EndToEndSeconds >= r.TtftSeconds && r.TotalSeconds >= r.EndToEndSeconds), "TTFT, end-to-end and total out of order");
        FuzzInvariantException.Check(r.TpotSeconds is null || (double.IsFinite(r.TpotSeconds.Value) && r.TpotSeconds >= 0), "bad TPOT");
        return r;
    }

    /// <summary>Answers every request with the current body, status and content type, streamed in chunks.</summary>
    private sealed class CannedHandler : HttpMessageHandler
    {
        public byte[] Body { get; set; } = [];

        public int[] Chunks { get; set; } = [];

        public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;

        public string MediaType { get; set; } = "text/event-stream";

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new StreamContent(new ChunkedStream(Body, Chunks));
            content.Headers.ContentType = new MediaTypeHeaderValue(MediaType);
            return Task.FromResult(new HttpResponseMessage(Status) { Content = content, RequestMessage = request });
        }
    }

    /// <summary>A clock that moves 1 ms at every reading, so timings are deterministic and strictly increasing.</summary>
    private sealed class StepTimeProvider : TimeProvider
    {
        private long _now;

        public override long TimestampFrequency => 1_000_000;

        public override long GetTimestamp() => Interlocked.Add(ref _now, 1_000);
    }
}
