using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SolProfiler.Agent.Sources;

/// <summary>
/// The loop every source runs: read once, wait the interval (doubling with each consecutive failure up to a cap),
/// repeat until shutdown. An exception from a read is counted as an error of the source and the loop goes on;
/// nothing escapes, and shutdown ends it quietly.
/// </summary>
internal abstract class SamplingLoop(SourceHealth health, ILogger logger, TimeProvider time) : BackgroundService
{
    protected TimeProvider Time => time;

    protected ILogger Logger => logger;

    protected abstract TimeSpan Interval { get; }

    protected abstract TimeSpan MaxBackoff { get; }

    /// <summary>One read of the source; reports its outcome to <paramref name="sourceHealth"/>.</summary>
    protected abstract Task ReadOnceAsync(SourceHealth sourceHealth, CancellationToken cancellationToken);

    /// <summary>Called after a read that threw (beyond counting it), e.g. to drop stale readings.</summary>
    protected virtual void OnReadFailed()
    {
    }

    protected TimeSpan NextDelay(SourceHealth sourceHealth) => Backoff.Delay(Interval, sourceHealth.ConsecutiveFailures, MaxBackoff);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = time.GetUtcNow();
            try
            {
                await ReadOnceAsync(health, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Shutdown, also one that never called StopAsync (a host that failed to bind is only disposed): a
                // read cut short is the normal end, not a failure of the service for the host to log as critical.
                return;
            }
            catch (Exception e)
            {
                health.Failed(time.GetUtcNow(), "exception", e.Message);
                OnReadFailed();
                Log.LoopFailed(logger, e, health.Source);
            }

            try
            {
                // The next read is due one delay after this one started, not after it ended: a read that takes 0.3 s
                // keeps a 1 s interval at 1 s, and the due time does not depend on when this line runs.
                var wait = started + NextDelay(health) - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
