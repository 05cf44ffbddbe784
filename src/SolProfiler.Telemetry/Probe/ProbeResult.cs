using System.Text.Json.Serialization;

namespace SolProfiler.Telemetry.Probe;

/// <summary>
/// Why a probe request failed, by where it failed: before a connection, before the response headers, after them
/// (mid-stream), by HTTP status, by timeout, or by the server's own error event. Bounded; <see cref="ProbeFailureKinds.Label"/>
/// gives the snake_case name used in JSON, tables and sweep files.
/// </summary>
public enum ProbeFailureKind
{
    [JsonStringEnumMemberName("none")]
    None,

    /// <summary>The server answered with a non-2xx status, or not with <c>text/event-stream</c>.</summary>
    [JsonStringEnumMemberName("http_status")]
    HttpStatus,

    /// <summary>The request timeout passed (before the headers or mid-stream).</summary>
    [JsonStringEnumMemberName("timeout")]
    Timeout,

    /// <summary>No connection: refused, unreachable, name not resolved, TLS failure.</summary>
    [JsonStringEnumMemberName("connect")]
    Connect,

    /// <summary>Connected, but the connection ended, was reset or answered garbage before complete response headers (after the one retry on a fresh connection).</summary>
    [JsonStringEnumMemberName("before_headers")]
    BeforeHeaders,

    /// <summary>The server reported an error inside the stream (an <c>error</c> event or a chunk with an <c>error</c> object).</summary>
    [JsonStringEnumMemberName("stream_error")]
    StreamError,

    /// <summary>The stream broke after the headers: connection dropped, closed before <c>[DONE]</c>, malformed chunk or oversized line.</summary>
    [JsonStringEnumMemberName("mid_stream")]
    MidStream,
}

public static class ProbeFailureKinds
{
    /// <summary>Every kind but <see cref="ProbeFailureKind.None"/>, in the order tables list them.</summary>
    public static IReadOnlyList<ProbeFailureKind> Failures { get; } =
        [ProbeFailureKind.Connect, ProbeFailureKind.BeforeHeaders, ProbeFailureKind.MidStream, ProbeFailureKind.HttpStatus, ProbeFailureKind.Timeout, ProbeFailureKind.StreamError];

    /// <summary>The snake_case label of a kind (e.g. <c>before_headers</c>).</summary>
    public static string Label(ProbeFailureKind kind) => kind switch
    {
        ProbeFailureKind.None => "none",
        ProbeFailureKind.HttpStatus => "http_status",
        ProbeFailureKind.Timeout => "timeout",
        ProbeFailureKind.Connect => "connect",
        ProbeFailureKind.BeforeHeaders => "before_headers",
        ProbeFailureKind.StreamError => "stream_error",
        ProbeFailureKind.MidStream => "mid_stream",
        _ => "other",
    };

    /// <summary>A few words for people (tables): "broken stream" is only ever a stream that broke after its headers.</summary>
    public static string Describe(ProbeFailureKind kind) => kind switch
    {
        ProbeFailureKind.HttpStatus => "HTTP error",
        ProbeFailureKind.Timeout => "timeout",
        ProbeFailureKind.Connect => "cannot connect",
        ProbeFailureKind.BeforeHeaders => "closed before headers",
        ProbeFailureKind.StreamError => "server error in stream",
        ProbeFailureKind.MidStream => "broken stream",
        _ => "ok",
    };
}

/// <summary>Where <see cref="ProbeResult.OutputTokens"/> came from.</summary>
public enum TokenCountSource
{
    /// <summary><c>usage.completion_tokens</c> sent by the server (exact).</summary>
    Usage,

    /// <summary>No usage seen: one token per content chunk (a lower bound when servers merge tokens into chunks).</summary>
    ContentChunks,
}

/// <summary>
/// The timings of one streaming request, all in seconds from <c>t0</c> = just before the request was sent
/// (monotonic clock). A failed request keeps whatever was measured before it failed.
/// Definitions follow genai-perf (serving-metrics §11/§12): only chunks carrying output text count as content.
/// </summary>
public sealed record ProbeResult
{
    /// <summary>0-based position in a <see cref="ProbeRunner"/> run (0 for a single request).</summary>
    public int Index { get; init; }

    public bool Success => Failure == ProbeFailureKind.None;

    public ProbeFailureKind Failure { get; init; }

    /// <summary>One line saying why the request failed; null on success. Never contains the API key.</summary>
    public string? FailureReason { get; init; }

    /// <summary>The HTTP status, when headers arrived.</summary>
    public int? HttpStatus { get; init; }

    /// <summary>Time to first token: t0 to the arrival of the first chunk with non-empty output (text, reasoning or tool call).</summary>
    public double? TtftSeconds { get; init; }

    /// <summary>t0 to the arrival of the last chunk with output (genai-perf's request latency).</summary>
    public double? EndToEndSeconds { get; init; }

    /// <summary>t0 to the end of the stream (<c>[DONE]</c>, close, or the failure).</summary>
    public double TotalSeconds { get; init; }

    /// <summary>
    /// Inter-token gaps after the first content chunk. A chunk known to carry k tokens contributes k samples of gap/k;
    /// a chunk whose token count is unknown contributes one sample (the inter-chunk gap).
    /// </summary>
    public IReadOnlyList<double> InterTokenGapsSeconds { get; init; } = [];

    /// <summary>(last content − first content) / (output tokens − 1); null with fewer than 2 tokens or 2 content chunks.</summary>
    public double? TpotSeconds { get; init; }

    public int OutputTokens { get; init; }

    public TokenCountSource OutputTokenSource { get; init; } = TokenCountSource.ContentChunks;

    /// <summary>Chunks that carried output.</summary>
    public int ContentChunks { get; init; }

    /// <summary>True when per-chunk token counts came from usage on every chunk (so the gaps are per token).</summary>
    public bool GapsPerToken { get; init; }

    public int? PromptTokens { get; init; }

    public string? FinishReason { get; init; }

    /// <summary>Output tokens / end-to-end latency (TTFT included, as LLMPerf's per-request throughput).</summary>
    public double? OutputTokensPerSecond =>
        EndToEndSeconds is > 0 && OutputTokens > 0 ? OutputTokens / EndToEndSeconds.Value : null;

    /// <summary>1 / TPOT: decode speed seen by this user (genai-perf's tokens/s/user).</summary>
    public double? DecodeTokensPerSecond => TpotSeconds is > 0 ? 1 / TpotSeconds.Value : null;

    /// <summary>Mean of <see cref="InterTokenGapsSeconds"/>, or null when there are none.</summary>
    public double? MeanInterTokenGapSeconds => InterTokenGapsSeconds.Count > 0 ? InterTokenGapsSeconds.Average() : null;
}
