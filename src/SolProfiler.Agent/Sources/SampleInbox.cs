using System.Collections.Concurrent;
using SolProfiler.Telemetry.Gpu;
using SolProfiler.Telemetry.Serving;

namespace SolProfiler.Agent.Sources;

/// <summary>
/// Where the sampling loops drop what they read and the analysis loop picks it up: sources only read and
/// normalise, the window only aggregates. Bounded, so a stalled analysis cannot grow memory without limit.
/// </summary>
public sealed class SampleInbox
{
    private const int Capacity = 10_000;
    private readonly ConcurrentQueue<IReadOnlyList<ServingSample>> _serving = new();
    private readonly ConcurrentQueue<GpuSnapshot> _gpu = new();
    private GpuSnapshot? _latestGpu;
    private IReadOnlyList<ServingSample>? _latestServing;

    /// <summary>The last good GPU read, for the per-GPU metrics (null until one arrives).</summary>
    public GpuSnapshot? LatestGpu => Volatile.Read(ref _latestGpu);

    /// <summary>The last good scrape's samples, for what the server tells about itself (null until one arrives).</summary>
    public IReadOnlyList<ServingSample>? LatestServing => Volatile.Read(ref _latestServing);

    public void Add(IReadOnlyList<ServingSample> samples)
    {
        Volatile.Write(ref _latestServing, samples);
        _serving.Enqueue(samples);
        while (_serving.Count > Capacity && _serving.TryDequeue(out _))
        {
        }
    }

    public void Add(GpuSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (!snapshot.Down)
        {
            Volatile.Write(ref _latestGpu, snapshot);
        }

        _gpu.Enqueue(snapshot);
        while (_gpu.Count > Capacity && _gpu.TryDequeue(out _))
        {
        }
    }

    public IEnumerable<IReadOnlyList<ServingSample>> DrainServing()
    {
        while (_serving.TryDequeue(out var s))
        {
            yield return s;
        }
    }

    public IEnumerable<GpuSnapshot> DrainGpu()
    {
        while (_gpu.TryDequeue(out var g))
        {
            yield return g;
        }
    }

    /// <summary>Forgets the last GPU read when the source goes down, so stale per-GPU series disappear.</summary>
    public void ClearLatestGpu() => Volatile.Write(ref _latestGpu, null);
}
