using SolProfiler.Telemetry.Serving.Rates;
using SolProfiler.Telemetry.Serving.Scraping;

namespace SolProfiler.Cli.Sweep;

/// <summary>The server's view of one level: mean running batch, mean context per sequence and mean ITL.</summary>
public sealed record ServerLevelMetrics(double? Batch, double? ContextTokens, double? StepSeconds);

/// <summary>Scrapes the server's metrics every second during a level and averages them over it via <see cref="ServingWindow"/>.</summary>
public sealed class ServerMetricsRecorder(HttpClient http, Uri metricsUrl, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>Scrapes until <paramref name="stop"/> is cancelled, then returns the level's means (nulls when unknown).</summary>
    public async Task<ServerLevelMetrics> RecordAsync(CancellationToken stop)
    {
        var window = new ServingWindow(TimeSpan.FromDays(1));
        var scraper = new ServingScraper(http, _time);
        var options = new ScrapeOptions { Url = metricsUrl };
        var last = _time.GetUtcNow();
        while (true)
        {
            var scrape = await scraper.ScrapeAsync(options, CancellationToken.None).ConfigureAwait(false);
            if (!scrape.Failed)
            {
                window.Add(scrape.Samples);
                last = scrape.Timestamp;
            }

            if (stop.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // one last scrape closes the window at the end of the level
            }
        }

        var all = window.Rates(last);
        var rates = all.Count > 0 ? all[0] : null;
        if (rates is null)
        {
            return new ServerLevelMetrics(null, null, null);
        }

        var batch = rates.MeanRunningRequests is > 0 ? rates.MeanRunningRequests : null;
        double? context = null;
        if (batch is { } b && rates.MeanKvCacheUsageRatio is { } usage && rates.KvCacheCapacityTokens is { } capacity)
        {
            context = usage * capacity / b;
        }

        return new ServerLevelMetrics(batch, context, rates.MeanInterTokenLatencySeconds);
    }
}
