using Microsoft.Extensions.Logging;
using SolProfiler.Telemetry.Serving;
using SolProfiler.Telemetry.Serving.Scraping;

namespace SolProfiler.Agent.Sources;

/// <summary>
/// Scrapes the inference server's metrics at the serving interval and drops the samples in the inbox. A failed scrape
/// marks the source down and counts the error by kind; the next good scrape brings it back.
/// </summary>
internal sealed class ServingSamplerService(
    ServingSampling sampling,
    SampleInbox inbox,
    ILogger<ServingSamplerService> logger,
    TimeProvider time) : SamplingLoop(sampling.Health, logger, time)
{
    protected override TimeSpan Interval => sampling.Interval;

    protected override TimeSpan MaxBackoff { get; } = TimeSpan.FromSeconds(15);

    protected override async Task ReadOnceAsync(SourceHealth health, CancellationToken cancellationToken)
    {
        var scrape = await sampling.Endpoint.Scraper.ScrapeAsync(sampling.Endpoint.Options, cancellationToken).ConfigureAwait(false);
        if (scrape.Failed)
        {
            var reason = FetchFailureKinds.Label(scrape.FailureKind);
            if (health.Failed(Time.GetUtcNow(), reason, scrape.FailureReason!))
            {
                // Once per outage and per new reason: a dead server must not flood the log every second.
                Log.SourceDown(Logger, "serving", reason, scrape.FailureReason!, NextDelay(health).TotalSeconds);
            }

            return;
        }

        var failures = health.ConsecutiveFailures;
        health.Succeeded(scrape.Timestamp, ServerKinds.Name(scrape.Server));
        if (failures > 0)
        {
            Log.SourceRecovered(Logger, "serving", failures);
        }

        inbox.Add(scrape.Samples);
    }
}
