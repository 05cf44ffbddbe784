namespace SolProfiler.Analysis;

/// <summary>
/// Where the time between the SOL step and the measured step went, seconds per step. Each is >= 0 except
/// <see cref="Unattributed"/>, which is negative only when the measured step beats the SOL (a wrong configuration
/// or model); SOL step + all six = measured step, always.
/// </summary>
public sealed record GapCauses(
    double Idle,
    double ExtraBytes,
    double UnusedBandwidth,
    double Communication,
    double Throttling,
    double Unattributed)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public double Sum => Idle + ExtraBytes + UnusedBandwidth + Communication + Throttling + Unattributed;

    /// <summary>The causes with their Prometheus label values, in a fixed order.</summary>
    public IEnumerable<(string Cause, double Seconds)> ByLabel()
    {
        yield return ("idle", Idle);
        yield return ("extra_bytes", ExtraBytes);
        yield return ("unused_bandwidth", UnusedBandwidth);
        yield return ("communication", Communication);
        yield return ("throttling", Throttling);
        yield return ("unattributed", Unattributed);
    }
}

/// <summary>The measured step against the SOL at the same operating point.</summary>
public sealed record GapResult
{
    /// <summary>SOL step / measured step. Above 1 is published as measured: it means the inputs or the model are wrong.</summary>
    public required double Efficiency { get; init; }

    public required double MeasuredStepSeconds { get; init; }

    public required double SolStepSeconds { get; init; }

    public double GapSeconds => MeasuredStepSeconds - SolStepSeconds;

    public required GapCauses Causes { get; init; }

    /// <summary>Measured tokens/s/GPU over the SOL's tokens/s/GPU at the measured tokens/s/user.</summary>
    public double? ParetoGapRatio { get; init; }

    public double? SolTokensPerSecondPerGpuAtMeasuredInteractivity { get; init; }

    public IReadOnlyList<string> Warnings { get; init; } = [];
}
