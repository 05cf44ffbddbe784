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

/// <summary>What a schedule implies for a step's critical path.</summary>
public static class SolScheduleFacts
{
    /// <summary>
    /// The least communication time a step under <paramref name="schedule"/> leaves on its critical path, next to a
    /// memory-or-compute phase of <paramref name="phaseSeconds"/>: all <paramref name="commSeconds"/> when serial; under
    /// overlap only what the phase cannot hide. The SOL's own exposed communication is this at its required phase; an
    /// engine whose phase runs long hides more, so the gap analysis and the demo measure both against it.
    /// </summary>
    public static double LeastExposedCommunication(this SolSchedule schedule, double commSeconds, double phaseSeconds) =>
        schedule == SolSchedule.Overlap ? Math.Max(0, commSeconds - phaseSeconds) : commSeconds;

    /// <summary>
    /// What a memory-or-compute phase of <paramref name="phaseSeconds"/> adds to the step beyond the SOL's, whose
    /// phase is <paramref name="requiredSeconds"/>: all of the difference when serial; under overlap only what shows
    /// past the collectives the longer phase now hides. The gap analysis and the demo share the causes of a slow
    /// phase (extra bytes, unused bandwidth) in this, so what they attribute adds up to the step.
    /// </summary>
    public static double PhaseExcessShown(this SolSchedule schedule, double commSeconds, double phaseSeconds, double requiredSeconds) =>
        phaseSeconds + schedule.LeastExposedCommunication(commSeconds, phaseSeconds)
        - (requiredSeconds + schedule.LeastExposedCommunication(commSeconds, requiredSeconds));
}
