using System.Threading.Channels;
using SolProfiler.Telemetry.Gpu;
using SolProfiler.Telemetry.Serving;

namespace SolProfiler.Agent.Sources;

/// <summary>
/// Where the sampling loops drop what they read and the analysis loop picks it up: sources only read and
/// normalise, the window only aggregates. Two bounded channels (one writer, one reader each) that drop the oldest
/// read when full, so a stalled analysis cannot grow memory without limit; and the latest good read of each, for the
/// per-GPU metrics and what the server tells about itself.
/// </summary>
public sealed class SampleInbox
{
    private const int Capacity = 10_000;

    private static readonly BoundedChannelOptions ChannelOptions = new(Capacity)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
        SingleWriter = true,
    };

    private readonly Channel<IReadOnlyList<ServingSample>> _serving = Channel.CreateBounded<IReadOnlyList<ServingSample>>(ChannelOptions);
    private readonly Channel<GpuSnapshot> _gpu = Channel.CreateBounded<GpuSnapshot>(ChannelOptions);
    private GpuSnapshot? _latestGpu;
    private IReadOnlyList<ServingSample>? _latestServing;

    /// <summary>The last good GPU read, for the per-GPU metrics (null until one arrives).</summary>
    public GpuSnapshot? LatestGpu => Volatile.Read(ref _latestGpu);

    /// <summary>The last good scrape's samples, for what the server tells about itself (null until one arrives).</summary>
    public IReadOnlyList<ServingSample>? LatestServing => Volatile.Read(ref _latestServing);

    public void Add(IReadOnlyList<ServingSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        Volatile.Write(ref _latestServing, samples);
        _serving.Writer.TryWrite(samples); // never false: a full bounded channel in DropOldest mode makes room
    }

    public void Add(GpuSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (!snapshot.Down)
        {
            Volatile.Write(ref _latestGpu, snapshot);
        }

        _gpu.Writer.TryWrite(snapshot);
    }

    public IEnumerable<IReadOnlyList<ServingSample>> DrainServing()
    {
        while (_serving.Reader.TryRead(out var s))
        {
            yield return s;
        }
    }

    public IEnumerable<GpuSnapshot> DrainGpu()
    {
        while (_gpu.Reader.TryRead(out var g))
        {
            yield return g;
        }
    }

    /// <summary>Forgets the last GPU read when the source goes down, so stale per-GPU series disappear.</summary>
    public void ClearLatestGpu() => Volatile.Write(ref _latestGpu, null);
}
