using SolProfiler.Sol.Models;

namespace SolProfiler.Sol.Modeling;

/// <summary>
/// A validated configuration, ready to evaluate operating points (batch B per replica, mean context L, and what else the step carries: <see cref="StepLoad"/>).
/// Pure and thread-safe. Pipeline parallelism is modelled with min(B, PP) micro-batches: each stage reads its weights
/// once per micro-batch, a token crosses every stage, so the step is PP x the slowest stage's time
/// (PP adds capacity and throughput, not per-token speed).
/// </summary>
public sealed class PreparedSol
{
    private readonly StagePlan[] _stages;
    private readonly double _hbmBandwidth;
    private readonly double _linkBandwidth;
    private readonly double _collectiveLatency;
    private readonly double _powerHeadroom;
    private readonly double _idlePower;
    private readonly double _hbmJoulesPerByte;
    private readonly double _linkJoulesPerByte;
    private readonly double _peakFlops;
    private readonly double _joulesPerFlop;
    private readonly double _memoryBytes;
    private readonly int _experts;
    private readonly int _expertsPerToken;
    private readonly double _draftTokens;
    private readonly double _acceptedTokensPerStep;

    internal PreparedSol(SolConfiguration config, StagePlan[] stages, ParameterCounts counts, ResolvedPrecisions precisions, double peakFlops, double joulesPerFlop, double kvBytesPerToken, IReadOnlyList<string> warnings)
    {
        Configuration = config;
        _stages = stages;
        Parameters = counts;
        Precisions = precisions;
        KvBytesPerToken = kvBytesPerToken;
        Warnings = warnings;
        var gpu = config.Gpu;
        _hbmBandwidth = gpu.MemoryBandwidthBytesPerSecond.Value;
        _linkBandwidth = gpu.LinkBandwidthBytesPerSecondPerDirection.Value;
        _collectiveLatency = gpu.CollectiveLatencySeconds.Value;
        _idlePower = gpu.IdlePowerWatts.Value;
        _powerHeadroom = gpu.PowerCapWatts.Value - gpu.IdlePowerWatts.Value;
        if (_powerHeadroom <= 0)
        {
            throw new SolInputException($"GPU '{gpu.Id}': power cap {gpu.PowerCapWatts.Value} W must exceed idle power {gpu.IdlePowerWatts.Value} W");
        }

        _hbmJoulesPerByte = gpu.HbmJoulesPerBit.Value * 8;
        _linkJoulesPerByte = gpu.LinkJoulesPerBit.Value * 8;
        _peakFlops = peakFlops;
        _joulesPerFlop = joulesPerFlop;
        _memoryBytes = gpu.MemoryBytes.Value;
        _experts = config.Model.Moe?.RoutedExperts ?? 0;
        _expertsPerToken = config.Model.Moe?.ExpertsPerToken ?? 0;
        _draftTokens = config.Speculative?.DraftTokens ?? 0;
        _acceptedTokensPerStep = config.Speculative?.MeanAcceptedLength ?? 1.0;
    }

    public SolConfiguration Configuration { get; }

    public ParameterCounts Parameters { get; }

    public ResolvedPrecisions Precisions { get; }

    /// <summary>KV bytes of one token, all layers, whole model, at the KV precision.</summary>
    public double KvBytesPerToken { get; }

    /// <summary>Configuration-level warnings (assumptions about the config, scale-out).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>
    /// Expected distinct experts touched when <paramref name="tokens"/> routings of k experts each land uniformly on E experts:
    /// E (1 - (1 - k/E)^T).
    /// </summary>
    public static double ExpectedDistinctExperts(int experts, int expertsPerToken, double tokens) =>
        experts == 0 ? 0 : experts * (1 - Math.Pow(1 - ((double)expertsPerToken / experts), tokens));

    /// <summary>The SOL of a decode-only step with the configuration's speculation: <c>Evaluate(batch, context, default)</c>.</summary>
    public SolResult Evaluate(int batch, double context) => Evaluate(batch, context, default);

    /// <summary>
    /// The SOL of one engine step: <paramref name="batch"/> sequences at mean context <paramref name="context"/>, each
    /// scoring 1 + draft positions, plus <see cref="StepLoad.PrefillTokens"/> prompt tokens (DESIGN.md section 3,
    /// "mixed steps" and "speculative decoding"). Weights are read once for all of them. The result's
    /// <see cref="SolSeconds.Prefill"/> is what the prompt tokens add to the step; its bound is the term that set the
    /// whole (mixed) step.
    /// </summary>
    /// <remarks>
    /// What a prompt token adds, each part a lower bound:
    /// its linear FLOPs (2 x active parameters; the LM head only runs for decode and verify positions: the one
    /// logit row a chunk that ends its prompt computes is left out);
    /// its attention over a prefix of the mean context L (windowed on sliding layers), the length of the prompt's own
    /// prefix being unknown: the causal part within the chunk (the earlier tokens of the same chunk) is left out, so
    /// a chunk that follows L tokens of its prompt is never over-counted;
    /// its KV write, and one read of an L-token prefix per step for the whole chunk (min(P, 1) prefixes for a mean of
    /// P below one token per step, when most steps carry none);
    /// its share of every collective's volume (the latency floors are paid once per collective, not per token);
    /// and for MoE its k routings, so the experts touched are those of (B x positions + P) tokens.
    /// Prompt tokens are spread evenly over PP micro-batches and attention-DP groups, the most even split.
    /// Their KV is not counted against HBM capacity (the prompts being prefilled are not yet decoding).
    /// </remarks>
    public SolResult Evaluate(int batch, double context, StepLoad load)
    {
        if (batch <= 0)
        {
            throw new SolInputException($"batch {batch} must be >= 1");
        }

        if (!(context >= 0) || double.IsInfinity(context))
        {
            throw new SolInputException($"context {context} must be >= 0 tokens");
        }

        var prefill = load.PrefillTokens;
        if (!(prefill >= 0) || double.IsInfinity(prefill))
        {
            throw new SolInputException($"prefill tokens {prefill} must be a finite number >= 0 (prompt tokens computed per step)");
        }

        var (draft, emitted) = Speculation(load);
        var positions = 1 + draft;
        var mixed = Step(batch, context, positions, prefill);
        var decodeOnly = prefill > 0 ? Step(batch, context, positions, 0) : mixed;

        var par = Configuration.Parallelism;
        var microBatches = mixed.MicroBatches;
        var worst = mixed.Worst;
        var step = mixed.Seconds;
        var gpus = par.GpusPerReplica;
        var perToken = step / emitted;
        var outputTokens = batch * emitted;
        var joules = (gpus * _idlePower * step) + (par.Tp * microBatches * mixed.EnergyAllStages);
        var (fits, maxBatch, residentWeights, residentKv) = Capacity(batch, context);

        return new SolResult
        {
            Model = Configuration.Model.Id,
            Gpu = Configuration.Gpu.Id,
            Tp = par.Tp,
            Pp = par.Pp,
            Ep = par.Ep,
            AttentionDp = par.AttentionDp,
            Batch = batch,
            Context = context,
            PrefillTokens = prefill,
            TokensPerStep = emitted,
            WeightBytesPerGpu = microBatches * worst.WeightBytes,
            KvBytesPerGpu = microBatches * worst.KvBytes,
            KvBytesPerToken = KvBytesPerToken,
            FlopsPerGpu = microBatches * worst.Flops,
            CommBytesPerGpu = microBatches * worst.CommBytes,
            CollectivesPerStep = par.Pp * worst.Collectives,
            Seconds = new SolSeconds(mixed.Weights, mixed.Kv, mixed.Compute, mixed.Comm, mixed.Energy, step, Math.Max(0, step - decodeOnly.Seconds)),
            Bound = mixed.Bound,
            Shares = Shares(mixed, decodeOnly),
            SecondsPerOutputToken = perToken,
            TokensPerSecondPerUser = 1 / perToken,
            TokensPerSecondPerGpu = outputTokens / (step * gpus),
            JoulesPerToken = joules / outputTokens,
            ExpectedExpertsPerLayer = _experts > 0 ? mixed.TouchedExperts : null,
            ResidentWeightBytesPerGpu = residentWeights,
            ResidentKvBytesPerGpu = residentKv,
            MemoryBytesPerGpu = _memoryBytes,
            Fits = fits,
            MaxBatchThatFits = maxBatch,
            Warnings = PointWarnings(batch, fits, residentWeights + residentKv),
        };
    }

    /// <summary>The load's speculation, or the configuration's where the load leaves it out: (draft positions, tokens emitted) per sequence.</summary>
    private (double Draft, double Emitted) Speculation(StepLoad load)
    {
        var draft = load.DraftTokens ?? _draftTokens;
        if (!(draft >= 0) || double.IsInfinity(draft))
        {
            throw new SolInputException($"draft tokens {draft} must be a finite number >= 0 (draft positions per sequence per step)");
        }

        var emitted = load.EmittedTokensPerSequence ?? _acceptedTokensPerStep;
        if (!(emitted >= 1 && emitted <= draft + 1))
        {
            throw new SolInputException($"emitted tokens per sequence {emitted} must be between 1 and draft tokens + 1 = {draft + 1}");
        }

        return (draft, emitted);
    }

    /// <summary>
    /// The donut (see <see cref="SolShares"/>): the decode-only components over the mixed step's component sum, and
    /// what the prompt tokens add to that sum. Should a different pipeline stage set the two steps (so the decode-only
    /// sum were the larger), the larger sum is the denominator and the prompt's share is 0, so the shares stay >= 0
    /// and still sum to 1.
    /// </summary>
    private static SolShares Shares(StepTimes mixed, StepTimes decodeOnly)
    {
        var total = Math.Max(mixed.ComponentSum, decodeOnly.ComponentSum);
        return new SolShares(
            decodeOnly.Weights / total,
            decodeOnly.Kv / total,
            decodeOnly.Compute / total,
            decodeOnly.Comm / total,
            (total - decodeOnly.ComponentSum) / total);
    }

    /// <summary>The step's component times and the stage that sets it, for <paramref name="positions"/> per sequence and <paramref name="prefill"/> prompt tokens.</summary>
    private StepTimes Step(int batch, double context, double positions, double prefill)
    {
        var par = Configuration.Parallelism;
        var pp = par.Pp;
        var dp = par.AttentionDp;
        var microBatches = Math.Min(batch, pp);
        var seqs = (double)batch / microBatches;
        var groupSeqs = dp > 1 ? Math.Ceiling((seqs / dp) - 1e-9) : seqs; // the most loaded attention group sets the step
        var prompt = prefill / microBatches;
        var load = new StageLoad(
            GroupSeqs: groupSeqs,
            GroupTokens: groupSeqs * positions,
            Tokens: seqs * positions,
            GroupPrompt: prompt / dp,
            Prompt: prompt,
            GroupPrefixReads: Math.Min(prefill, 1) / (microBatches * dp));
        var touched = ExpectedDistinctExperts(_experts, _expertsPerToken, load.Tokens + prompt);

        var worst = default(StageWork);
        var worstTime = double.NegativeInfinity;
        double energyAllStages = 0;
        foreach (var stage in _stages)
        {
            var work = StageWork.For(stage, this, load, touched, context);
            energyAllStages += work.Joules;
            var t = Math.Max(work.CriticalPath(this), work.Joules / _powerHeadroom);
            if (t > worstTime)
            {
                worstTime = t;
                worst = work;
            }
        }

        var tWeights = pp * worst.WeightBytes / _hbmBandwidth;
        var tKv = pp * worst.KvBytes / _hbmBandwidth;
        var tCompute = pp * worst.Flops / _peakFlops;
        var tComm = pp * ((worst.CommBytes / _linkBandwidth) + (worst.Collectives * _collectiveLatency));
        var tEnergy = microBatches * worst.Joules / _powerHeadroom;
        var memoryOrCompute = Math.Max(tWeights + tKv, tCompute);
        var roofline = memoryOrCompute + tComm;
        var bound = tEnergy > roofline ? SolBound.Energy
            : tComm > memoryOrCompute ? SolBound.Comm
            : tCompute > tWeights + tKv ? SolBound.Compute
            : tWeights >= tKv ? SolBound.Weights : SolBound.Kv;
        return new StepTimes(worst, microBatches, energyAllStages, touched, tWeights, tKv, tCompute, tComm, tEnergy, Math.Max(roofline, tEnergy), bound);
    }

    /// <summary>Whether weights plus KV for B sequences of L tokens fit on every GPU, and the largest B that would.</summary>
    private (bool Fits, long? MaxBatch, double Weights, double Kv) Capacity(int batch, double context)
    {
        var dp = Configuration.Parallelism.AttentionDp;
        var heldSeqs = dp > 1 ? Math.Ceiling((double)batch / dp) : batch;
        var fits = true;
        long? maxBatch = null;
        double worstWeights = 0, worstKv = 0, worstTotal = double.NegativeInfinity;
        foreach (var stage in _stages)
        {
            var perSeq = KvPerSequence(stage, context);
            var kv = heldSeqs * perSeq;
            if (stage.ResidentWeightBytes + kv > worstTotal)
            {
                worstTotal = stage.ResidentWeightBytes + kv;
                worstWeights = stage.ResidentWeightBytes;
                worstKv = kv;
            }

            fits &= stage.ResidentWeightBytes + kv <= _memoryBytes;
            var free = _memoryBytes - stage.ResidentWeightBytes;
            if (perSeq > 0 || free < 0)
            {
                var perGroup = free < 0 ? 0 : (long)Math.Floor(free / perSeq);
                var stageMax = perGroup * dp;
                maxBatch = maxBatch is null ? stageMax : Math.Min(maxBatch.Value, stageMax);
            }
        }

        return (fits, maxBatch, worstWeights, worstKv);
    }

    private static double KvPerSequence(StagePlan stage, double context)
    {
        var bytes = stage.KvPerTokenFull * context;
        foreach (var (window, perToken) in stage.KvPerTokenSliding)
        {
            bytes += perToken * Math.Min(context, window);
        }

        return bytes;
    }

    private IReadOnlyList<string> PointWarnings(int batch, bool fits, double needed)
    {
        var par = Configuration.Parallelism;
        List<string>? list = null;
        if (!fits)
        {
            (list ??= []).Add($"does not fit: needs {needed / 1e9:F1} GB per GPU of {_memoryBytes / 1e9:F1} GB (weights plus KV at this batch and context)");
        }

        if (batch < par.Pp)
        {
            (list ??= []).Add($"batch {batch} < PP {par.Pp}: pipeline stages sit idle part of each step");
        }

        if (par.AttentionDp > 1 && batch % par.AttentionDp != 0)
        {
            (list ??= []).Add($"batch {batch} does not spread evenly over {par.AttentionDp} attention-DP groups; the fullest group sets the step");
        }

        return list is null ? Warnings : [.. Warnings, .. list];
    }

    /// <summary>One step's times by component, the GPU's work that set them, and the experts its tokens touch per MoE layer.</summary>
    private readonly record struct StepTimes(StageWork Worst, int MicroBatches, double EnergyAllStages, double TouchedExperts, double Weights, double Kv, double Compute, double Comm, double Energy, double Seconds, SolBound Bound)
    {
        public double ComponentSum => Weights + Kv + Compute + Comm;
    }

    /// <summary>
    /// What one micro-batch carries into a stage: sequences and query positions of the fullest attention group and of
    /// the whole micro-batch, prompt tokens likewise, and the share of one prompt prefix the group reads.
    /// </summary>
    private readonly record struct StageLoad(double GroupSeqs, double GroupTokens, double Tokens, double GroupPrompt, double Prompt, double GroupPrefixReads);

    /// <summary>One GPU's work for one micro-batch on one stage.</summary>
    private readonly record struct StageWork(double WeightBytes, double KvBytes, double Flops, double CommBytes, int Collectives, double Joules)
    {
        public static StageWork For(StagePlan s, PreparedSol sol, StageLoad t, double touchedExperts, double context)
        {
            var expertsOnGpu = touchedExperts / sol.Configuration.Parallelism.Ep;
            var weightBytes = s.FixedWeightBytes + (s.MoeLayers * expertsOnGpu * s.ExpertBytesPerExpert);

            // Read every cached token once per step (all query positions share the read); write the new tokens.
            var kvRead = s.KvPerTokenFull * context;
            var scorePerQuery = s.AttentionFlopsPerContextFull * context;
            var kvWritePerToken = s.KvPerTokenFull;
            foreach (var (window, perToken) in s.KvPerTokenSliding)
            {
                kvRead += perToken * Math.Min(context, window);
                kvWritePerToken += perToken;
            }

            foreach (var (window, flops) in s.AttentionFlopsPerContextSliding)
            {
                scorePerQuery += flops * Math.Min(context, window);
            }

            // Prompt tokens: attention over an L-token prefix read once for the chunk, their KV written, no LM head.
            var kvBytes = (t.GroupSeqs * kvRead) + (t.GroupTokens * kvWritePerToken)
                + ((t.GroupPrefixReads * kvRead) + (t.GroupPrompt * kvWritePerToken));
            var totalFlops = (t.GroupTokens * (s.GroupLinearFlopsPerToken + scorePerQuery)) + (t.Tokens * s.AllLinearFlopsPerToken)
                + ((t.GroupPrompt * (s.GroupLinearFlopsPerToken + scorePerQuery)) + (t.Prompt * (s.AllLinearFlopsPerToken - s.LmHeadFlopsPerToken)));
            var commBytes = (t.GroupTokens * s.CommBytesPerGroupToken) + (t.Tokens * s.CommBytesPerToken)
                + ((t.GroupPrompt * s.CommBytesPerGroupToken) + (t.Prompt * s.CommBytesPerToken));
            var joules = (sol._hbmJoulesPerByte * (weightBytes + kvBytes)) + (sol._joulesPerFlop * totalFlops) + (sol._linkJoulesPerByte * commBytes);
            return new StageWork(weightBytes, kvBytes, totalFlops, commBytes, s.Collectives, joules);
        }

        public double CriticalPath(PreparedSol sol) =>
            Math.Max((WeightBytes + KvBytes) / sol._hbmBandwidth, Flops / sol._peakFlops)
            + (CommBytes / sol._linkBandwidth) + (Collectives * sol._collectiveLatency);
    }
}
