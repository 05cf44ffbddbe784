using SolProfiler.Analysis;

namespace SolProfiler.Agent.Hosting;

/// <summary>
/// Something that keeps one snapshot per window (the JSONL recorder). Optional: registered only when configured, and
/// the analysis writes to every one registered.
/// </summary>
public interface ISnapshotSink
{
    void Write(AgentSnapshot snapshot);
}
