using System.Diagnostics;
using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Serving.Scraping;

/// <summary>
/// Scrapes an inference server's Prometheus endpoint into a <see cref="ServingScrape"/>. Every failure (unreachable,
/// timeout, HTTP error, HTML, truncated or oversized body, duplicate series, histogram without +Inf, unknown server)
/// comes back as a failed scrape with a one-line reason; only the caller's own cancellation throws.
/// </summary>
public sealed class ServingScraper(HttpClient http, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public async Task<ServingScrape> ScrapeAsync(ScrapeOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var at = _time.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        var fetched = await ExpositionFetcher.FetchAsync(http, options.Url, options.Timeout, options.Limits, options.ApiKey, cancellationToken).ConfigureAwait(false);
        var scrape = fetched.Document is { } document
            ? ExpositionReading.ToScrape(document, options.DisplayUrl, at, Stopwatch.GetElapsedTime(started), options.ForcedServer)
            : ServingScrape.Failure(options.DisplayUrl, at, Stopwatch.GetElapsedTime(started), fetched.FailureReason!, fetched.FailureKind);
        return KeyRedaction.Redact(scrape, options.ApiKey);
    }

    /// <summary>Reads the body of a local file (for <c>solprof scrape --file</c> and tests) the same way.</summary>
    public static async Task<ServingScrape> ReadFileAsync(string path, ServerKind? forced, ExpositionLimits? limits, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var read = await ExpositionFetcher.ReadFileAsync(path, limits, cancellationToken).ConfigureAwait(false);
        return read.Document is { } document
            ? ExpositionReading.ToScrape(document, path, at, Stopwatch.GetElapsedTime(started), forced)
            : ServingScrape.Failure(path, at, Stopwatch.GetElapsedTime(started), read.FailureReason!, read.FailureKind);
    }
}
