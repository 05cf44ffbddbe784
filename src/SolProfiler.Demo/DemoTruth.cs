namespace SolProfiler.Demo;

/// <summary>
/// What the simulated engine really ran, summed over its steps since start: the truth a window of the agent should
/// recover. Take two readings and subtract (<see cref="Since"/>) for the mean over the steps between them; the means
/// are weighted by the sequences each step decoded, as the server's inter-token histogram weights its observations.
/// </summary>
public readonly record struct DemoTruth(
    long Steps,
    double DecodeObservations,
    double StepSeconds,
    double SolStepSeconds,
    double PrefillTokens,
    double EmittedTokens,
    double Idle,
    double Communication,
    double ExtraBytes,
    double UnusedBandwidth,
    double Throttling)
{
    public DemoTruth Add(DemoStep step, int decoding, int emitted)
    {
        double w = decoding;
        var c = step.Causes;
        return new DemoTruth(
            Steps + 1,
            DecodeObservations + w,
            StepSeconds + (w * step.StepSeconds),
            SolStepSeconds + (w * step.Sol.Seconds.Step),
            PrefillTokens + (w * step.PrefillTokens),
            EmittedTokens + (w * emitted),
            Idle + (w * c.Idle),
            Communication + (w * c.Communication),
            ExtraBytes + (w * c.ExtraBytes),
            UnusedBandwidth + (w * c.UnusedBandwidth),
            Throttling + (w * c.Throttling));
    }

    /// <summary>The sums from <paramref name="earlier"/> to this reading.</summary>
    public DemoTruth Since(DemoTruth earlier) => new(
        Steps - earlier.Steps,
        DecodeObservations - earlier.DecodeObservations,
        StepSeconds - earlier.StepSeconds,
        SolStepSeconds - earlier.SolStepSeconds,
        PrefillTokens - earlier.PrefillTokens,
        EmittedTokens - earlier.EmittedTokens,
        Idle - earlier.Idle,
        Communication - earlier.Communication,
        ExtraBytes - earlier.ExtraBytes,
        UnusedBandwidth - earlier.UnusedBandwidth,
        Throttling - earlier.Throttling);

    /// <summary>A sum as a mean per decode observation.</summary>
    public double Mean(double sum) => DecodeObservations > 0 ? sum / DecodeObservations : double.NaN;

    public double Efficiency => StepSeconds > 0 ? SolStepSeconds / StepSeconds : double.NaN;
}
