namespace SolProfiler.Sol.Modeling;

/// <summary>
/// The step time: the least over the dense-layer layouts and the schedules, each set by its slowest pipeline stage,
/// with the component (weights, KV, compute, communication, energy) that bounds it.
/// </summary>
public sealed partial class PreparedSol
{
    /// <summary>
    /// The least step over the layouts and schedules, for <paramref name="positions"/> per sequence and
    /// <paramref name="prefill"/> prompt tokens; with the least serial step and the least overlapped one (null where
    /// the batch cannot be split into two micro-batches of at least one sequence each).
    /// </summary>
    private (StepTimes Best, double Serial, double? Overlap) Step(int batch, double context, double positions, double prefill)
    {
        var microBatches = Math.Min(batch, Configuration.Parallelism.Pp);
        var canOverlap = batch >= 2 * microBatches;
        StepTimes best = default;
        var serial = double.PositiveInfinity;
        var overlap = double.PositiveInfinity;
        for (var v = 0; v < _variants.Length; v++)
        {
            var s = StepFor(v, SolSchedule.Serial, batch, context, positions, prefill);
            serial = Math.Min(serial, s.Seconds);
            if (v == 0 || s.Seconds < best.Seconds)
            {
                best = s;
            }

            if (canOverlap)
            {
                var o = StepFor(v, SolSchedule.Overlap, batch, context, positions, prefill);
                overlap = Math.Min(overlap, o.Seconds);
                if (o.Seconds < best.Seconds)
                {
                    best = o;
                }
            }
        }

        return (best, serial, canOverlap ? overlap : null);
    }

    /// <summary>One layout's step under one schedule: component times and the stage that sets it.</summary>
    private StepTimes StepFor(int variant, SolSchedule schedule, int batch, double context, double positions, double prefill)
    {
        var par = Configuration.Parallelism;
        var pp = par.Pp;
        var dp = par.AttentionDp;
        var microBatches = Math.Min(batch, pp);
        var halves = schedule == SolSchedule.Overlap ? 2 : 1;
        var seqs = (double)batch / microBatches;
        var groupSeqs = dp > 1 ? Math.Ceiling((seqs / dp) - 1e-9) : seqs; // the most loaded attention group sets the step
        var prompt = prefill / microBatches;
        var load = new StageLoad(
            GroupSeqs: groupSeqs / halves,
            GroupTokens: groupSeqs * positions / halves,
            Tokens: seqs * positions / halves,
            GroupPrompt: prompt / dp / halves,
            Prompt: prompt / halves,
            GroupPrefixReads: Math.Min(prefill, 1) / (microBatches * dp * halves));
        var touched = ExpectedDistinctExperts(_experts, _expertsPerToken, load.Tokens + load.Prompt);

        var worst = default(StageWork);
        var worstTime = double.NegativeInfinity;
        double energyAllStages = 0;
        foreach (var stage in _variants[variant])
        {
            var work = StageWork.For(stage, this, load, touched, context);
            energyAllStages += work.Joules;
            var t = work.Time(this, halves);
            if (t > worstTime)
            {
                worstTime = t;
                worst = work;
            }
        }

        var passes = microBatches * halves;
        var tWeights = pp * halves * worst.WeightBytes / _hbmBandwidth;
        var tKv = pp * halves * worst.KvBytes / _hbmBandwidth;
        var tCompute = pp * halves * worst.ComputeSeconds;
        var tComm = pp * halves * worst.CommSeconds;
        var tEnergy = passes * worst.Joules / _powerHeadroom;
        var memoryOrCompute = Math.Max(tWeights + tKv, tCompute);
        var roofline = schedule == SolSchedule.Overlap ? Math.Max(memoryOrCompute, tComm) : memoryOrCompute + tComm;
        var bound = tEnergy > roofline ? SolBound.Energy
            : tComm > memoryOrCompute ? SolBound.Comm
            : tCompute > tWeights + tKv ? SolBound.Compute
            : tWeights >= tKv ? SolBound.Weights : SolBound.Kv;
        return new StepTimes(worst, variant, schedule, halves, passes, energyAllStages, touched, tWeights, tKv, tCompute, tComm, tEnergy, Math.Max(roofline, tEnergy), bound);
    }

    /// <summary>
    /// One step's times by component under one layout and schedule, the GPU's work (per pass: one micro-batch, or
    /// one half of it under overlap) that set them, and the experts one pass's tokens touch per MoE layer (each half of an
    /// overlapped micro-batch reads its own).
    /// </summary>
    private readonly record struct StepTimes(StageWork Worst, int Variant, SolSchedule Schedule, int Halves, int Passes, double EnergyAllStages, double TouchedExperts, double Weights, double Kv, double Compute, double Comm, double Energy, double Seconds, SolBound Bound)
    {
        public double ComponentSum => Weights + Kv + Compute + Comm;
    }

    /// <summary>
    /// What one pass carries into a stage: sequences and query positions of the fullest attention group and of the
    /// whole pass, prompt tokens likewise, and the share of one prompt prefix the group reads.
    /// </summary>
    private readonly record struct StageLoad(double GroupSeqs, double GroupTokens, double Tokens, double GroupPrompt, double Prompt, double GroupPrefixReads);
}
