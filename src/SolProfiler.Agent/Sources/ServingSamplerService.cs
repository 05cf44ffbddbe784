using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SolProfiler.Agent.Hosting;
using SolProfiler.Telemetry.Serving.Scraping;

namespace SolProfiler.Agent.Sources;

/// <summary>
/// Scrapes the inference server's metrics at the serving interval and drops the samples in the inbox. A failed scrape
/// marks the source down, counts the error by kind, and backs off; the next good scrape brings it back. Nothing
/// escapes the loop but shutdown.
/// </summary>
internal sealed class ServingSamplerService(
    AgentRuntime runtime,
    SampleInbox inbox,
    ILogger<ServingSamplerService> logger,
    TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (runtime.Serving is not { } serving)
        {
            return;
        }

        var health = runtime.ServingHealth!;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var scrape = await serving.Scraper.ScrapeAsync(serving.Options, stoppingToken).ConfigureAwait(false);
                if (scrape.Failed)
                {
                    var reason = FetchFailureKinds.Label(scrape.FailureKind);
                    var repeated = health.Status().LastError == scrape.FailureReason && health.ConsecutiveFailures > 0;
                    health.Failed(time.GetUtcNow(), reason, scrape.FailureReason!);
                    if (!repeated)
                    {
                        // Once per outage and per new reason: a dead server must not flood the log every second.
                        Log.SourceDown(logger, "serving", reason, scrape.FailureReason!, Backoff.Delay(runtime.ServingInterval, health.ConsecutiveFailures, MaxBackoff).TotalSeconds);
                    }
                }
                else
                {
                    var failures = health.ConsecutiveFailures;
                    health.Succeeded(scrape.Timestamp, Telemetry.Serving.ServerKinds.Name(scrape.Server));
                    if (failures > 0)
                    {
                        Log.SourceRecovered(logger, "serving", failures);
                    }

                    inbox.Add(scrape.Samples);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                health.Failed(time.GetUtcNow(), "exception", e.Message);
                Log.LoopFailed(logger, e, "serving");
            }

            try
            {
                await Task.Delay(Backoff.Delay(runtime.ServingInterval, health.ConsecutiveFailures, MaxBackoff), time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
