namespace SolProfiler.Telemetry.Serving.Scraping;

/// <summary>
/// The outcome of one scrape of a server's metrics. A failed scrape has a one-line <see cref="FailureReason"/> and no
/// samples; nothing about a scrape ever throws out of the source.
/// </summary>
public sealed record ServingScrape
{
    public required DateTimeOffset Timestamp { get; init; }

    public required string Source { get; init; }

    public bool Failed => FailureReason is not null;

    public string? FailureReason { get; init; }

    /// <summary>The failure as a bounded kind, for error counters.</summary>
    public FetchFailureKind FailureKind { get; init; }

    public ServerKind Server { get; init; }

    public IReadOnlyList<ServingSample> Samples { get; init; } = [];

    /// <summary>Metric-name prefixes seen in the body (to tell the user what an unrecognised server publishes).</summary>
    public IReadOnlyList<string> FamiliesSeen { get; init; } = [];

    /// <summary>Malformed lines skipped by the parser.</summary>
    public int ParseErrors { get; init; }

    public IReadOnlyList<string> ParseErrorExamples { get; init; } = [];

    /// <summary>
    /// Document-level problems (a histogram without its +Inf bucket, duplicate series, a truncated OpenMetrics body):
    /// shown and counted, never a reason to drop the valid samples beside them.
    /// </summary>
    public IReadOnlyList<string> DocumentProblems { get; init; } = [];

    public long Bytes { get; init; }

    /// <summary>
    /// Why a llama.cpp scrape has no <see cref="ServingSample.Slots"/> (e.g. "/slots answered HTTP 501 (started with
    /// --no-slots?)"): one short line, key redacted. The scrape itself still succeeded. Null when the slots were read
    /// or the server has none to read.
    /// </summary>
    public string? SlotsProblem { get; init; }

    public TimeSpan Duration { get; init; }

    public static ServingScrape Failure(string source, DateTimeOffset at, TimeSpan duration, string reason, FetchFailureKind kind) =>
        new() { Source = source, Timestamp = at, Duration = duration, FailureReason = reason, FailureKind = kind };
}
