using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SolProfiler.Agent.Hosting;

namespace SolProfiler.Agent.Sources;

/// <summary>
/// Reads every GPU at the sample interval and drops the snapshot in the inbox. A down snapshot (library missing,
/// every call failing, connection lost) marks the source down and backs off; a partial one is still used.
/// </summary>
internal sealed class GpuSamplerService(
    AgentRuntime runtime,
    SampleInbox inbox,
    ILogger<GpuSamplerService> logger,
    TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (runtime.Gpu is not { } source)
        {
            return;
        }

        var health = runtime.GpuHealth!;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var snapshot = await source.ReadAsync(stoppingToken).ConfigureAwait(false);
                if (snapshot.Down)
                {
                    var repeated = health.Status().LastError == snapshot.DownReason && health.ConsecutiveFailures > 0;
                    health.Failed(time.GetUtcNow(), "unavailable", snapshot.DownReason!);
                    inbox.ClearLatestGpu();
                    if (!repeated)
                    {
                        Log.SourceDown(logger, "gpu", "unavailable", snapshot.DownReason!, Backoff.Delay(runtime.SampleInterval, health.ConsecutiveFailures, MaxBackoff).TotalSeconds);
                    }
                }
                else
                {
                    var failures = health.ConsecutiveFailures;
                    health.Succeeded(snapshot.Timestamp);
                    if (failures > 0)
                    {
                        Log.SourceRecovered(logger, "gpu", failures);
                    }

                    if (snapshot.Warnings.Count > 0)
                    {
                        // Partial reads (a counter that went backwards, a GPU that vanished) are counted, not fatal.
                        health.Failed(snapshot.Timestamp, "partial", string.Join("; ", snapshot.Warnings), down: false);
                    }

                    inbox.Add(snapshot);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                health.Failed(time.GetUtcNow(), "exception", e.Message);
                inbox.ClearLatestGpu();
                Log.LoopFailed(logger, e, "gpu");
            }

            try
            {
                await Task.Delay(Backoff.Delay(runtime.SampleInterval, health.ConsecutiveFailures, MaxBackoff), time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
