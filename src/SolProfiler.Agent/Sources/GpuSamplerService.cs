using Microsoft.Extensions.Logging;

namespace SolProfiler.Agent.Sources;

/// <summary>
/// Reads every GPU at the sample interval and drops the snapshot in the inbox. A down snapshot (library missing,
/// every call failing, connection lost) marks the source down; a partial one is still used, its warnings counted.
/// </summary>
internal sealed class GpuSamplerService(
    GpuSampling sampling,
    SampleInbox inbox,
    ILogger<GpuSamplerService> logger,
    TimeProvider time) : SamplingLoop(sampling.Health, logger, time)
{
    protected override TimeSpan Interval => sampling.Interval;

    protected override TimeSpan MaxBackoff { get; } = TimeSpan.FromSeconds(30);

    protected override async Task ReadOnceAsync(SourceHealth health, CancellationToken cancellationToken)
    {
        var snapshot = await sampling.Source.ReadAsync(cancellationToken).ConfigureAwait(false);
        // A read that reached the library but no GPU (every device call failing) is as down as one that did not.
        var downReason = snapshot.Down ? snapshot.DownReason!
            : snapshot.Gpus.Count == 0 ? "no GPU could be read" + (snapshot.Warnings.Count > 0 ? ": " + string.Join("; ", snapshot.Warnings) : "")
            : null;
        if (downReason is not null)
        {
            inbox.ClearLatestGpu();
            if (health.Failed(Time.GetUtcNow(), "unavailable", downReason))
            {
                Log.SourceDown(Logger, "gpu", "unavailable", downReason, NextDelay(health).TotalSeconds);
            }

            return;
        }

        var failures = health.ConsecutiveFailures;
        health.Succeeded(snapshot.Timestamp);
        if (failures > 0)
        {
            Log.SourceRecovered(Logger, "gpu", failures);
        }

        if (snapshot.Warnings.Count > 0)
        {
            // Partial reads (a field the device did not give, a GPU that vanished) are counted, not fatal.
            health.Failed(snapshot.Timestamp, "partial", string.Join("; ", snapshot.Warnings), down: false);
        }

        inbox.Add(snapshot);
    }

    /// <summary>A read that threw leaves no current GPU readings: their series disappear.</summary>
    protected override void OnReadFailed() => inbox.ClearLatestGpu();
}
