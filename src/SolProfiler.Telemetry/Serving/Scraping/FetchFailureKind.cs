namespace SolProfiler.Telemetry.Serving.Scraping;

/// <summary>
/// Why a fetch or scrape failed, as a small fixed set: the agent counts errors by this (a bounded Prometheus
/// label), while the free-text reason goes to logs and the snapshot.
/// </summary>
public enum FetchFailureKind
{
    None,
    Connection,
    Timeout,
    HttpStatus,
    Html,
    TooLarge,
    Truncated,

    /// <summary>The body is not valid for its <c>Content-Encoding</c> (a corrupt gzip, deflate or brotli stream).</summary>
    BadEncoding,
    Request,
    Parse,
    UnknownServer,
    NoMetrics,
    File,
}

public static class FetchFailureKinds
{
    /// <summary>The snake_case label value of a kind (e.g. <c>http_status</c>).</summary>
    public static string Label(FetchFailureKind kind) => kind switch
    {
        FetchFailureKind.None => "none",
        FetchFailureKind.Connection => "connection",
        FetchFailureKind.Timeout => "timeout",
        FetchFailureKind.HttpStatus => "http_status",
        FetchFailureKind.Html => "html",
        FetchFailureKind.TooLarge => "too_large",
        FetchFailureKind.Truncated => "truncated",
        FetchFailureKind.BadEncoding => "bad_encoding",
        FetchFailureKind.Request => "request",
        FetchFailureKind.Parse => "parse",
        FetchFailureKind.UnknownServer => "unknown_server",
        FetchFailureKind.NoMetrics => "no_metrics",
        FetchFailureKind.File => "file",
        _ => "other",
    };
}
