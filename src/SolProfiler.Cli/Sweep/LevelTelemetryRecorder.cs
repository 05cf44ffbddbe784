using SolProfiler.Analysis;
using SolProfiler.Analysis.Windows;
using SolProfiler.Telemetry.Gpu;
using SolProfiler.Telemetry.Serving;
using SolProfiler.Telemetry.Serving.Scraping;

namespace SolProfiler.Cli.Sweep;

/// <summary>
/// What the server and the GPUs said during one level, averaged over it with the agent's own arithmetic
/// (<see cref="OperatingPointBuilder"/>): per-engine batch, context and step, the number of engines (replicas), and
/// the replica's power. Nulls where a source was not given or told nothing.
/// </summary>
public sealed record LevelTelemetry(
    double? Batch,
    double? ContextTokens,
    double? StepSeconds,
    int? Replicas,
    double? ServerTokensPerSecond,
    double? PowerWatts,
    int? Gpus,
    OperatingPoint? Point = null);

/// <summary>
/// Reads the server's metrics and the GPU source once a second during a level. A read that fails is skipped; the
/// level still gets whatever the other reads gave.
/// </summary>
/// <remarks>
/// Counters (tokens, the ITL histogram) are differenced from the first read to the last. Gauges (running requests,
/// KV-cache usage) are averaged over the reads in between: the first read comes as the clients send their first
/// measured request and the last as the first client stops, so at low concurrency both often see an empty batch
/// (at concurrency 1 they halved the mean batch of a 3 s level).
/// </remarks>
public sealed class LevelTelemetryRecorder(HttpClient http, Uri? metricsUrl, IGpuSource? gpuSource, int gpusPerReplica, double hbmBandwidthBytesPerSecond, TimeProvider? timeProvider = null)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>Reads until <paramref name="stop"/> is cancelled, takes one last read to close the level, then averages.</summary>
    public async Task<LevelTelemetry> RecordAsync(CancellationToken stop)
    {
        var started = _time.GetUtcNow();
        var serving = new ServingWindow(TimeSpan.FromDays(1));
        var inside = new ServingWindow(TimeSpan.FromDays(1));
        IReadOnlyList<ServingSample>? held = null; // the latest read, added to `inside` once a later read shows it was not the last
        var reads = 0;
        var gpus = new GpuWindow(TimeSpan.FromDays(1));
        var scraper = new ServingScraper(http, _time);
        var options = metricsUrl is { } url ? new ScrapeOptions { Url = url } : null;
        while (true)
        {
            if (options is not null)
            {
                var scrape = await scraper.ScrapeAsync(options, CancellationToken.None).ConfigureAwait(false);
                if (!scrape.Failed)
                {
                    serving.Add(scrape.Samples);
                    if (held is not null && reads > 1)
                    {
                        inside.Add(held);
                    }

                    held = scrape.Samples;
                    reads++;
                }
            }

            if (gpuSource is not null)
            {
                gpus.Add(await gpuSource.ReadAsync(CancellationToken.None).ConfigureAwait(false));
            }

            if (stop.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await Task.Delay(Interval, _time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // one last read closes the window at the end of the level
            }
        }

        var now = _time.GetUtcNow();
        var gauges = inside.Rates(now).ToDictionary(r => r.Engine, StringComparer.Ordinal);
        var engines = serving.Rates(now)
            .Select(e => gauges.TryGetValue(e.Engine, out var g) && g.MeanRunningRequests is not null
                ? e with { MeanRunningRequests = g.MeanRunningRequests, MeanKvCacheUsageRatio = g.MeanKvCacheUsageRatio ?? e.MeanKvCacheUsageRatio }
                : e)
            .ToArray();
        var replicas = Math.Max(1, engines.Length);
        // The replica's GPUs: the first TP x PP x engines the source lists (a source that sees fewer gives no power).
        var needed = gpusPerReplica * replicas;
        var gpuRates = gpus.Rates(now);
        var ours = gpuRates.Count >= needed ? gpuRates.Take(needed).ToArray() : [];
        var point = OperatingPointBuilder.Build(started, now, engines, ours, gpusPerReplica, hbmBandwidthBytesPerSecond, minTokenObservations: 1).Point;
        return new LevelTelemetry(
            point.Batch,
            point.ContextTokens,
            point.MeasuredStepSeconds,
            engines.Length > 0 ? engines.Length : null,
            point.TokensPerSecond,
            point.PowerWatts,
            gpuRates.Count > 0 ? gpuRates.Count : null,
            point);
    }
}
