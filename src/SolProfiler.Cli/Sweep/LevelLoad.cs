using System.Collections.Concurrent;
using SolProfiler.Telemetry.Probe;

namespace SolProfiler.Cli.Sweep;

/// <summary>What one level's clients measured: the requests started after the warm-up, and the measured wall time.</summary>
public sealed record LevelMeasurement(IReadOnlyList<ProbeResult> Results, double WallSeconds);

/// <summary>
/// A closed loop of N streaming clients: each sends its next request as soon as its previous one ends. Requests that
/// start during the warm-up are left out; after it, requests start until the duration has passed (or until the
/// request budget is spent), and the level ends when the last of them has finished.
/// </summary>
public sealed class LevelLoad(StreamingProbe probe, TimeProvider? timeProvider = null)
{
    /// <summary>How long a client waits after a request the endpoint refused (connection or HTTP error) before its next.</summary>
    public static readonly TimeSpan FailurePause = TimeSpan.FromMilliseconds(100);

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>Called when the measured part starts (after the warm-up), e.g. to start scraping.</summary>
    public Action? MeasurementStarted { get; init; }

    /// <summary>
    /// Called once when the first client stops (duration over or request budget spent), while the others are still
    /// in flight: the moment to stop scraping, so the server's gauges are not averaged over the drain.
    /// </summary>
    public Action? MeasurementEnding { get; init; }

    public async Task<LevelMeasurement> RunAsync(int clients, TimeSpan warmup, TimeSpan? duration, int? requests, IProgress<ProbeResult>? progress, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(clients, 1);
        var start = _time.GetTimestamp();
        var measured = new ConcurrentBag<ProbeResult>();
        var started = 0;
        long measureStart = 0;
        var measuring = 0;
        var ending = 0;

        void EndMeasuring()
        {
            if (Interlocked.CompareExchange(ref ending, 1, 0) == 0)
            {
                MeasurementEnding?.Invoke();
            }
        }

        void BeginMeasuring()
        {
            if (Interlocked.CompareExchange(ref measuring, 1, 0) == 0)
            {
                Interlocked.Exchange(ref measureStart, _time.GetTimestamp());
                MeasurementStarted?.Invoke();
            }
        }

        async Task ClientAsync()
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var elapsed = _time.GetElapsedTime(start);
                var warming = elapsed < warmup;
                if (!warming)
                {
                    BeginMeasuring();
                    if (duration is { } d && _time.GetElapsedTime(Interlocked.Read(ref measureStart)) >= d)
                    {
                        EndMeasuring();
                        return;
                    }

                    if (requests is { } n && Interlocked.Increment(ref started) > n)
                    {
                        EndMeasuring();
                        return;
                    }
                }

                var result = await probe.RunAsync(cancellationToken).ConfigureAwait(false);
                if (!warming)
                {
                    measured.Add(result with { Index = measured.Count });
                    progress?.Report(result);
                }

                if (!result.Success && result.Failure is ProbeFailureKind.Connect or ProbeFailureKind.BeforeHeaders or ProbeFailureKind.HttpStatus)
                {
                    // A dead or refusing endpoint answers at once: pause, so a client neither hammers it nor piles up
                    // thousands of identical errors in a level.
                    await Task.Delay(FailurePause, _time, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(ClientAsync, cancellationToken))).ConfigureAwait(false);
        BeginMeasuring();
        EndMeasuring();
        var wall = _time.GetElapsedTime(Interlocked.Read(ref measureStart)).TotalSeconds;
        return new LevelMeasurement(measured.ToArray(), wall);
    }
}
