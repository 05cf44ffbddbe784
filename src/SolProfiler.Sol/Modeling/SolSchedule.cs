namespace SolProfiler.Sol.Modeling;

/// <summary>How the engine orders a step's work (DESIGN.md section 3, "step").</summary>
public enum SolSchedule
{
    /// <summary>One micro-batch: <c>max(t_weights + t_kv, t_compute) + t_comm</c>, the collectives on the critical path between layers.</summary>
    Serial,

    /// <summary>
    /// Two micro-batches (two-batch overlap): each re-reads the weights, and one's collectives run under the other's
    /// memory and compute time: <c>max(2 x max(t_memory, t_compute) of a half, 2 x t_comm of a half)</c>.
    /// </summary>
    Overlap,
}
