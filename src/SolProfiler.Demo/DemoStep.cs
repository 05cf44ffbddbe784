using SolProfiler.Sol.Modeling;

namespace SolProfiler.Demo;

/// <summary>
/// Where one simulated step's time goes beyond the SOL, in seconds (DESIGN.md section 4's causes). Each is >= 0 and
/// with the SOL step they add up to the simulated step: the truth the gap analysis should recover.
/// </summary>
public readonly record struct DemoGapCauses(double Idle, double Communication, double ExtraBytes, double UnusedBandwidth, double Throttling)
{
    public double Total => Idle + Communication + ExtraBytes + UnusedBandwidth + Throttling;
}

/// <summary>One decode step of the simulated server, identical on every GPU of the TP group. Per-GPU figures.</summary>
public sealed record DemoStep
{
    public required int Batch { get; init; }

    /// <summary>The mean context the step was evaluated at (tokens).</summary>
    public required double MeanContext { get; init; }

    /// <summary>Prompt tokens computed in the step beside the decode tokens (chunked prefill).</summary>
    public double PrefillTokens { get; init; }

    /// <summary>The SOL of this operating point.</summary>
    public required SolResult Sol { get; init; }

    /// <summary>Wall time of the step: what the server's inter-token latency observes.</summary>
    public required double StepSeconds { get; init; }

    /// <summary>The memory-or-compute phase: max(bytes / (efficiency x bandwidth), compute time).</summary>
    public required double PhaseSeconds { get; init; }

    /// <summary>Communication on the critical path: what the SOL's schedule leaves exposed next to the phase, plus the exposed extra.</summary>
    public required double CommunicationSeconds { get; init; }

    /// <summary>Time the GPU is busy in the step (phase + communication, stretched by throttling).</summary>
    public required double BusySeconds { get; init; }

    /// <summary>Bytes read from HBM in the step, the extra bytes included.</summary>
    public required double HbmBytes { get; init; }

    public required double PowerWatts { get; init; }

    /// <summary>Energy of the step, idle power included.</summary>
    public required double EnergyJoules { get; init; }

    public required bool Throttled { get; init; }

    /// <summary>Seconds the power cap added to the step.</summary>
    public required double ThrottleSeconds { get; init; }

    /// <summary>NVML clocks-event-reason bits: <c>sw_power_cap</c> (0x4) when throttled, else 0.</summary>
    public required ulong ClocksEventReasons { get; init; }

    public required double GraphicsActiveRatio { get; init; }

    public required double SmActiveRatio { get; init; }

    public required double DramActiveRatio { get; init; }

    public required double TensorActiveRatio { get; init; }

    /// <summary>NVLink bytes per second in each direction (all-reduce traffic is symmetric).</summary>
    public required double NvlinkBytesPerSecond { get; init; }

    public required DemoGapCauses Causes { get; init; }
}
