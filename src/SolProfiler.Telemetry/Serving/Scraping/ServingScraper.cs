using System.Diagnostics;
using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Serving.Scraping;

/// <summary>
/// Scrapes an inference server's Prometheus endpoint into a <see cref="ServingScrape"/>. Every failure (unreachable,
/// timeout, HTTP error, HTML, truncated or oversized body, duplicate series, histogram without +Inf, unknown server)
/// comes back as a failed scrape with a one-line reason; only the caller's own cancellation throws.
/// <para>
/// A llama.cpp server also gets its <c>/slots</c> read (<see cref="SlotsReader"/>), set on each sample; when that
/// fails the scrape still succeeds, with <see cref="ServingScrape.SlotsProblem"/> saying why. Once a scraper has seen
/// llama.cpp (or is told it is), the two GETs run at once, so the slots add no latency to a scrape; the first scrape
/// reads them after detection.
/// </para>
/// </summary>
public sealed class ServingScraper(HttpClient http, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly ExpositionReuse _reuse = new();
    private volatile bool _seenLlamaCpp;

    public async Task<ServingScrape> ScrapeAsync(ScrapeOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var at = _time.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        var expectLlamaCpp = options.ForcedServer == ServerKind.LlamaCpp || (options.ForcedServer is null && _seenLlamaCpp);
        var slotsEarly = expectLlamaCpp ? ReadSlotsAsync(options, cancellationToken) : null;
        var fetched = await ExpositionFetcher.FetchAsync(http, options.Url, options.Timeout, options.Limits, options.ApiKey, _reuse, cancellationToken).ConfigureAwait(false);
        var scrape = fetched.Document is { } document
            ? ExpositionReading.ToScrape(document, options.DisplayUrl, at, Stopwatch.GetElapsedTime(started), options.ForcedServer)
            : ServingScrape.Failure(options.DisplayUrl, at, Stopwatch.GetElapsedTime(started), fetched.FailureReason!, fetched.FailureKind);
        if (!scrape.Failed)
        {
            _seenLlamaCpp = scrape.Server == ServerKind.LlamaCpp;
        }

        if (scrape.Server == ServerKind.LlamaCpp && !scrape.Failed)
        {
            var slots = await (slotsEarly ?? ReadSlotsAsync(options, cancellationToken)).ConfigureAwait(false);
            scrape = slots.Slots is { } read
                ? scrape with { Samples = scrape.Samples.Select(s => s with { Slots = read }).ToArray() }
                : scrape with { SlotsProblem = slots.Problem };
        }
        else if (slotsEarly is not null)
        {
            await slotsEarly.ConfigureAwait(false); // not wanted after all (the server changed or the scrape failed): let it finish, drop it
        }

        return KeyRedaction.Redact(scrape, options.ApiKey);
    }

    /// <summary>The slots read, given the scrape's own time limit (it runs beside the metrics GET, not after it).</summary>
    private Task<SlotsRead> ReadSlotsAsync(ScrapeOptions options, CancellationToken cancellationToken) =>
        SlotsReader.ReadAsync(http, options.Url, options.Timeout, options.ApiKey, _time, SlotsReader.DefaultMaxBytes, cancellationToken);

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
