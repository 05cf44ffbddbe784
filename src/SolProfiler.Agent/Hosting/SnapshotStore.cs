using SolProfiler.Analysis;

namespace SolProfiler.Agent.Hosting;

/// <summary>The latest snapshot, swapped whole by the analysis loop and read lock-free by the exporters.</summary>
public sealed class SnapshotStore
{
    private AgentSnapshot? _latest;

    public AgentSnapshot? Latest => Volatile.Read(ref _latest);

    public void Publish(AgentSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Volatile.Write(ref _latest, snapshot);
    }
}
