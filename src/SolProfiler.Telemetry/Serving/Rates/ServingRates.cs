namespace SolProfiler.Telemetry.Serving.Rates;

/// <summary>
/// What one engine did over a window, from the deltas of its cumulative counters and histograms and the mean of its
/// gauges. Null where the server does not expose the input, or the window holds fewer than two usable scrapes.
/// </summary>
public sealed record ServingRates
{
    public required ServerKind Server { get; init; }

    public required string Engine { get; init; }

    public string? Model { get; init; }

    /// <summary>Scrapes in the window.</summary>
    public required int Samples { get; init; }

    /// <summary>Time from the first to the last scrape of the window.</summary>
    public required TimeSpan Covered { get; init; }

    public double? GenerationTokensPerSecond { get; init; }

    public double? PromptTokensPerSecond { get; init; }

    /// <summary>Mean inter-token latency over the window: delta(sum) / delta(count) of the server's histogram, seconds.</summary>
    public double? MeanInterTokenLatencySeconds { get; init; }

    public double? InterTokenObservations { get; init; }

    public string? InterTokenLatencySource { get; init; }

    public double? MeanTimeToFirstTokenSeconds { get; init; }

    public double? MeanE2eLatencySeconds { get; init; }

    /// <summary>Requests finished per second: the increase of the end-to-end latency histogram's count.</summary>
    public double? RequestsFinishedPerSecond { get; init; }

    public double? MeanRunningRequests { get; init; }

    public double? MeanWaitingRequests { get; init; }

    public double? MeanKvCacheUsageRatio { get; init; }

    public double? KvCacheCapacityTokens { get; init; }

    public double? PreemptionsPerSecond { get; init; }

    /// <summary>Accepted / proposed draft tokens over the window (speculative decoding).</summary>
    public double? SpecDecodeAcceptanceRatio { get; init; }

    /// <summary>Counters or histograms that went backwards (a server restart) inside the window; handled, never negative.</summary>
    public required int CounterResets { get; init; }
}
