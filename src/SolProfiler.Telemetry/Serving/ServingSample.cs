namespace SolProfiler.Telemetry.Serving;

/// <summary>
/// What one engine (or data-parallel rank) of an inference server published at one scrape, normalised across servers.
/// Every value the server does not expose is null, never zero. Counters and histograms are cumulative, as scraped.
/// </summary>
public sealed record ServingSample
{
    public required ServerKind Server { get; init; }

    /// <summary>A hint at the server's version or engine generation (e.g. "v1 engine", "0.0.4 names"), when the names tell.</summary>
    public string? VersionHint { get; init; }

    public string? Model { get; init; }

    /// <summary>The engine, data-parallel rank or instance this sample belongs to ("0" for single-engine servers).</summary>
    public required string Engine { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Requests in the running (decoding) batch.</summary>
    public double? RunningRequests { get; init; }

    public double? WaitingRequests { get; init; }

    public double? GenerationTokensTotal { get; init; }

    public double? PromptTokensTotal { get; init; }

    /// <summary>Time between output tokens (per decode step where the server measures that), seconds.</summary>
    public HistogramSnapshot? InterTokenLatency { get; init; }

    /// <summary>Which server metric <see cref="InterTokenLatency"/> came from, and what it measures.</summary>
    public string? InterTokenLatencySource { get; init; }

    public HistogramSnapshot? TimeToFirstToken { get; init; }

    public HistogramSnapshot? E2eLatency { get; init; }

    /// <summary>Fraction of the KV cache in use, 0..1.</summary>
    public double? KvCacheUsageRatio { get; init; }

    /// <summary>KV-cache capacity in tokens (blocks x block size) where the server exposes it.</summary>
    public double? KvCacheCapacityTokens { get; init; }

    public double? PreemptionsTotal { get; init; }

    /// <summary>Speculative decoding: draft tokens proposed, and accepted, since start.</summary>
    public double? SpecDecodeDraftTokensTotal { get; init; }

    public double? SpecDecodeAcceptedTokensTotal { get; init; }
}
