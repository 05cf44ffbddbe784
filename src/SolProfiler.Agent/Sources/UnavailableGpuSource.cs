using SolProfiler.Telemetry.Gpu;

namespace SolProfiler.Agent.Sources;

/// <summary>A backend that cannot run here: every read is a down snapshot carrying the reason.</summary>
public sealed class UnavailableGpuSource(string backend, string reason) : IGpuSource
{
    public string Backend => backend;

    public Task<GpuSnapshot> ReadAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(new GpuSnapshot { Backend = backend, Timestamp = DateTimeOffset.UtcNow, DownReason = reason });

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
