namespace SolProfiler.Agent.Analysis;

/// <summary>
/// What the deployment did over one window, measured: the point at which the SOL is evaluated and against which the
/// gap is taken. Serving values are per replica (one engine) unless said otherwise; GPU values are means per GPU.
/// Null where the sources did not provide the input.
/// </summary>
public sealed record OperatingPoint
{
    public required DateTimeOffset WindowStart { get; init; }

    public required DateTimeOffset WindowEnd { get; init; }

    /// <summary>Mean sequences in the running batch of one replica (from the server's running-requests gauge).</summary>
    public double? Batch { get; init; }

    /// <summary>Mean context per running sequence, tokens.</summary>
    public double? ContextTokens { get; init; }

    /// <summary>How the context was obtained: <c>kv-cache-usage</c> or <c>token-counters</c>.</summary>
    public string? ContextSource { get; init; }

    /// <summary>Mean decode step, seconds: the server's inter-token latency histogram, delta(sum)/delta(count).</summary>
    public double? MeasuredStepSeconds { get; init; }

    /// <summary>Which server metric gave the step time, and what it measures.</summary>
    public string? StepSource { get; init; }

    public double? InterTokenObservations { get; init; }

    /// <summary>Output tokens per second, all replicas.</summary>
    public double? TokensPerSecond { get; init; }

    /// <summary>Interactivity: one token per sequence per step, 1 / step.</summary>
    public double? TokensPerSecondPerUser { get; init; }

    public double? TokensPerSecondPerGpu { get; init; }

    /// <summary>Power of all GPUs seen, watts.</summary>
    public double? PowerWatts { get; init; }

    public double? JoulesPerToken { get; init; }

    /// <summary>HBM traffic per GPU: DRAM activity x the catalog's peak bandwidth.</summary>
    public double? HbmBytesPerSecondPerGpu { get; init; }

    /// <summary>NVLink bytes sent per second per GPU (the direction the SOL model counts).</summary>
    public double? NvlinkBytesPerSecondPerGpu { get; init; }

    /// <summary>Fraction of time the GPUs ran any kernel (graphics-engine activity).</summary>
    public double? BusyRatio { get; init; }

    public double? SmActiveRatio { get; init; }

    public double? DramActiveRatio { get; init; }

    public double? TensorActiveRatio { get; init; }

    /// <summary>Fraction of GPU reads with a power or thermal clock-event reason active.</summary>
    public double? ThrottledRatio { get; init; }

    public int Gpus { get; init; }

    /// <summary>Engines (replicas) that decoded in the window.</summary>
    public int Replicas { get; init; }

    public int ServingScrapes { get; init; }

    public int GpuReads { get; init; }

    /// <summary>Counters that went backwards in the window (a server restart), handled.</summary>
    public int CounterResets { get; init; }
}
