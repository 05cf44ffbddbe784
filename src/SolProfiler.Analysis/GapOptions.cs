namespace SolProfiler.Analysis;

/// <summary>The assumptions the gap attribution rests on (the agent's <c>gap:*</c> keys).</summary>
public sealed class GapOptions
{
    /// <summary>
    /// Fraction of SMs the collective kernels (NCCL) keep busy while they run. SM activity during communication is
    /// about this, and near 1 during the memory-bound GEMMs, which is what separates the two in the busy time.
    /// </summary>
    public double CommSmShare { get; set; } = 0.15;

    /// <summary>Fewer inter-token observations than this in the window and the step time is not trusted.</summary>
    public double MinTokenObservations { get; set; } = 20;
}
