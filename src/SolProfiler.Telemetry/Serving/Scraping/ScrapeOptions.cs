using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Serving.Scraping;

/// <summary>How to scrape one server's metrics endpoint.</summary>
public sealed record ScrapeOptions
{
    public required Uri Url { get; init; }

    /// <summary>Give up on a scrape after this long (default 2 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Read the body as this server's names instead of detecting the server.</summary>
    public ServerKind? ForcedServer { get; init; }

    public ExpositionLimits Limits { get; init; } = ExpositionLimits.Default;

    /// <summary>Sent as a bearer token when the endpoint needs one; never logged, echoed or exported.</summary>
    public string? ApiKey { get; init; }

    /// <summary>The URL as it may be shown: no user-info, no query (which could carry a token).</summary>
    public string DisplayUrl => ExpositionFetcher.DisplayUrl(Url);
}
