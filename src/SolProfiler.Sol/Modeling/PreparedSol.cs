using SolProfiler.Sol.Models;

namespace SolProfiler.Sol.Modeling;

/// <summary>
/// A validated configuration, ready to evaluate operating points (batch B per replica, mean context L, and what else the step carries: <see cref="StepLoad"/>).
/// Pure and thread-safe. Pipeline parallelism is modelled with min(B, PP) micro-batches: each stage reads its weights
/// once per micro-batch, a token crosses every stage, so the step is PP x the slowest stage's time
/// (PP adds capacity and throughput, not per-token speed).
/// </summary>
/// <remarks>
/// The step is the least over the schedules an engine can run (<see cref="SolSchedule"/>) and, under attention-DP, over
/// the legal layouts of the dense layers (<see cref="StageLayout"/>). Overlap is evaluated with two micro-batches only:
/// with k &gt;= 2 the memory side is max((k W + KV) / BW, FLOPs / peak) and the communication side is
/// comm bytes / BW + k x collectives x floor, both non-decreasing in k, so k = 2 is the least of them.
/// </remarks>
public sealed class PreparedSol
{
    private readonly StagePlan[][] _variants;
    private readonly Fabric _fabric;
    private readonly double _hbmBandwidth;
    private readonly double _powerHeadroom;
    private readonly double _idlePower;
    private readonly double _hbmJoulesPerByte;
    private readonly double _linkJoulesPerByte;
    private readonly double _memoryBytes;
    private readonly int _experts;
    private readonly int _expertsPerToken;
    private readonly double _draftTokens;
    private readonly double _acceptedTokensPerStep;
    private readonly double _kvReplication;

    // Seconds and joules per FLOP by operation (precision per operation).
    private readonly double _linearSecondsPerFlop, _expertSecondsPerFlop, _attentionSecondsPerFlop, _headSecondsPerFlop;
    private readonly double _linearJoulesPerFlop, _expertJoulesPerFlop, _attentionJoulesPerFlop, _headJoulesPerFlop;

    internal PreparedSol(SolConfiguration config, StagePlan[][] variants, ParameterCounts counts, ResolvedPrecisions precisions, OperationPeaks peaks, Fabric fabric, double kvBytesPerToken, double kvReplication, IReadOnlyList<string> warnings)
    {
        Configuration = config;
        _variants = variants;
        _fabric = fabric;
        Parameters = counts;
        Precisions = precisions;
        Peaks = peaks;
        KvBytesPerToken = kvBytesPerToken;
        Warnings = warnings;
        var gpu = config.Gpu;
        _hbmBandwidth = gpu.MemoryBandwidthBytesPerSecond.Value;
        _idlePower = gpu.IdlePowerWatts.Value;
        _powerHeadroom = gpu.PowerCapWatts.Value - gpu.IdlePowerWatts.Value;
        if (_powerHeadroom <= 0)
        {
            throw new SolInputException($"GPU '{gpu.Id}': power cap {gpu.PowerCapWatts.Value} W must exceed idle power {gpu.IdlePowerWatts.Value} W");
        }

        _hbmJoulesPerByte = gpu.HbmJoulesPerBit.Value * 8;
        _linkJoulesPerByte = gpu.LinkJoulesPerBit.Value * 8;
        _memoryBytes = gpu.MemoryBytes.Value;
        _experts = config.Model.Moe?.RoutedExperts ?? 0;
        _expertsPerToken = config.Model.Moe?.ExpertsPerToken ?? 0;
        _draftTokens = config.Speculative?.DraftTokens ?? 0;
        _acceptedTokensPerStep = config.Speculative?.MeanAcceptedLength ?? 1.0;
        _kvReplication = kvReplication;
        (_linearSecondsPerFlop, _linearJoulesPerFlop) = (1 / peaks.Linear.FlopsPerSecond, peaks.Linear.JoulesPerFlop);
        (_expertSecondsPerFlop, _expertJoulesPerFlop) = (1 / peaks.Experts.FlopsPerSecond, peaks.Experts.JoulesPerFlop);
        (_attentionSecondsPerFlop, _attentionJoulesPerFlop) = (1 / peaks.Attention.FlopsPerSecond, peaks.Attention.JoulesPerFlop);
        (_headSecondsPerFlop, _headJoulesPerFlop) = (1 / peaks.Head.FlopsPerSecond, peaks.Head.JoulesPerFlop);
    }

    public SolConfiguration Configuration { get; }

    public ParameterCounts Parameters { get; }

    public ResolvedPrecisions Precisions { get; }

    /// <summary>The tensor format, dense peak and energy per FLOP each kind of operation runs at.</summary>
    public OperationPeaks Peaks { get; }

    /// <summary>KV bytes of one token, all layers, whole model, at the KV precision.</summary>
    public double KvBytesPerToken { get; }

    /// <summary>Configuration-level warnings (assumptions about the config).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>
    /// How many times over an engine that copies KV heads to every attention-TP rank reads the KV the bound reads
    /// (attention-TP / min(attention-TP, KV heads); attention-TP for MLA's single latent; 1 when the heads split evenly).
    /// </summary>
    public double KvReplicationFactor => _kvReplication;

    /// <summary>The collectives one micro-batch runs on a stage, for a layout (0: dense layers over TP; 1: inside the attention group).</summary>
    internal IReadOnlyList<Collective> CollectivesOf(int layout, int stage) => _variants[layout][stage].Collectives;

    internal Fabric Fabric => _fabric;

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
    /// "mixed steps" and "speculative decoding"). Weights are read once for all of them (once per micro-batch). The
    /// result's <see cref="SolSeconds.Prefill"/> is what the prompt tokens add to the step; its bound is the term that
    /// set the whole (mixed) step, under the schedule that set it.
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
    /// its share of every collective's message (the latency floors are paid once per collective, not per token);
    /// and for MoE its k routings, so the experts touched are those of (B x positions + P) tokens.
    /// Prompt tokens are spread evenly over micro-batches and attention-DP groups, the most even split.
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
        var choice = Step(batch, context, positions, prefill);
        var mixed = choice.Best;
        var decodeOnly = prefill > 0 ? Step(batch, context, positions, 0).Best : mixed;

        var par = Configuration.Parallelism;
        var passes = mixed.Passes;
        var worst = mixed.Worst;
        var step = mixed.Seconds;
        var gpus = par.GpusPerReplica;
        var perToken = step / emitted;
        var outputTokens = batch * emitted;
        var joules = (gpus * _idlePower * step) + (par.Tp * passes * mixed.EnergyAllStages);
        var (fits, maxBatch, residentWeights, residentKv) = Capacity(_variants[mixed.Variant], batch, context);

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
            Schedule = mixed.Schedule,
            SerialStepSeconds = choice.Serial,
            OverlapStepSeconds = choice.Overlap,
            DenseTp = mixed.Variant == 1 ? par.AttentionTp : par.Tp,
            WeightBytesPerGpu = passes * worst.WeightBytes,
            KvBytesPerGpu = passes * worst.KvBytes,
            ReplicatedKvBytesPerGpu = passes * worst.KvBytes * _kvReplication,
            KvBytesPerToken = KvBytesPerToken,
            FlopsPerGpu = passes * worst.Flops,
            CommBytesPerGpu = passes * worst.CommBytes,
            CollectivesPerStep = par.Pp * mixed.Halves * worst.Collectives,
            Seconds = new SolSeconds(mixed.Weights, mixed.Kv, mixed.Compute, mixed.Comm, mixed.Energy, step, Math.Max(0, step - decodeOnly.Seconds)),
            Bound = mixed.Bound,
            Shares = Shares(mixed, decodeOnly),
            SecondsPerOutputToken = perToken,
            TokensPerSecondPerUser = 1 / perToken,
            TokensPerSecondPerGpu = outputTokens / (step * gpus),
            JoulesPerToken = joules / outputTokens,
            ExpectedExpertsPerLayer = _experts > 0 ? ExpectedDistinctExperts(_experts, _expertsPerToken, (positions * batch / Math.Min(batch, par.Pp)) + (prefill / Math.Min(batch, par.Pp))) : null,
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

    /// <summary>Whether weights plus KV for B sequences of L tokens fit on every GPU, and the largest B that would.</summary>
    private (bool Fits, long? MaxBatch, double Weights, double Kv) Capacity(StagePlan[] stages, int batch, double context)
    {
        var dp = Configuration.Parallelism.AttentionDp;
        var heldSeqs = dp > 1 ? Math.Ceiling((double)batch / dp) : batch;
        var fits = true;
        long? maxBatch = null;
        double worstWeights = 0, worstKv = 0, worstTotal = double.NegativeInfinity;
        foreach (var stage in stages)
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

    /// <summary>One GPU's work for one pass on one stage: bytes, FLOPs (and their time at each operation's peak), collectives.</summary>
    private readonly record struct StageWork(double WeightBytes, double KvBytes, double Flops, double ComputeSeconds, double CommBytes, double CommSeconds, int Collectives, double Joules)
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
            var groupQueries = t.GroupTokens + t.GroupPrompt;
            var tokens = t.Tokens + t.Prompt;
            var kvBytes = (t.GroupSeqs * kvRead) + (t.GroupTokens * kvWritePerToken)
                + ((t.GroupPrefixReads * kvRead) + (t.GroupPrompt * kvWritePerToken));
            var linear = (groupQueries * s.LinearFlopsPerGroupToken) + (tokens * s.LinearFlopsPerToken);
            var experts = tokens * s.ExpertFlopsPerToken;
            var attention = groupQueries * scorePerQuery;
            var head = (tokens * s.RouterFlopsPerToken) + (t.Tokens * s.HeadFlopsPerToken);
            var computeSeconds = (linear * sol._linearSecondsPerFlop) + (experts * sol._expertSecondsPerFlop)
                + (attention * sol._attentionSecondsPerFlop) + (head * sol._headSecondsPerFlop);
            var flopJoules = (linear * sol._linearJoulesPerFlop) + (experts * sol._expertJoulesPerFlop)
                + (attention * sol._attentionJoulesPerFlop) + (head * sol._headJoulesPerFlop);

            double commBytes = 0, commSeconds = 0;
            foreach (var c in s.Collectives)
            {
                var message = (c.BytesPerGroupToken * groupQueries) + (c.BytesPerToken * tokens);
                var (seconds, bytes) = sol._fabric.Time(c, message);
                commSeconds += c.Count * seconds;
                commBytes += c.Count * bytes;
            }

            var joules = (sol._hbmJoulesPerByte * (weightBytes + kvBytes)) + flopJoules + (sol._linkJoulesPerByte * commBytes);
            return new StageWork(weightBytes, kvBytes, linear + experts + attention + head, computeSeconds, commBytes, commSeconds, s.CollectiveCount, joules);
        }

        /// <summary>This stage's time for a micro-batch of <paramref name="halves"/> passes (1 serial, 2 overlapped), the energy floor included.</summary>
        public double Time(PreparedSol sol, int halves)
        {
            var memoryOrCompute = Math.Max((WeightBytes + KvBytes) / sol._hbmBandwidth, ComputeSeconds);
            var roofline = halves == 1 ? memoryOrCompute + CommSeconds : halves * Math.Max(memoryOrCompute, CommSeconds);
            return Math.Max(roofline, halves * Joules / sol._powerHeadroom);
        }
    }
}
