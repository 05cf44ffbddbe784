namespace SolProfiler.Telemetry.Gpu;

/// <summary>
/// One read of every GPU a backend sees. A backend that could not read at all is <see cref="Down"/> with a reason;
/// one that read devices but not every field lists the fields it lacks in <see cref="MissingFields"/>.
/// </summary>
public sealed record GpuSnapshot
{
    public required string Backend { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    public IReadOnlyList<GpuSample> Gpus { get; init; } = [];

    /// <summary>GpuSample fields this backend did not provide for any GPU (camelCase JSON names).</summary>
    public IReadOnlyList<string> MissingFields { get; init; } = [];

    public IReadOnlyList<string> Warnings { get; init; } = [];

    public string? DownReason { get; init; }

    public bool Down => DownReason is not null;
}

/// <summary>A source of GPU telemetry: DCGM, NVML, a dcgm-exporter scrape, or the stand-ins.</summary>
public interface IGpuSource : IAsyncDisposable
{
    string Backend { get; }

    /// <summary>Reads every GPU once. Never throws for device or library faults: those come back as a down or partial snapshot.</summary>
    Task<GpuSnapshot> ReadAsync(CancellationToken cancellationToken = default);
}
