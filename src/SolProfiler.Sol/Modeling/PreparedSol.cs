using SolProfiler.Sol.Models;

namespace SolProfiler.Sol.Modeling;

/// <summary>
/// A validated configuration, ready to evaluate operating points (batch B per replica, mean context L).
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
    private readonly int _queryTokensPerSequence;
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
        _queryTokensPerSequence = 1 + (config.Speculative?.DraftTokens ?? 0);
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

    public SolResult Evaluate(int batch, double context)
    {
        if (batch <= 0)
        {
            throw new SolInputException($"batch {batch} must be >= 1");
        }

        if (!(context >= 0) || double.IsInfinity(context))
        {
            throw new SolInputException($"context {context} must be >= 0 tokens");
        }

        var par = Configuration.Parallelism;
        var pp = par.Pp;
        var dp = par.AttentionDp;
        var microBatches = Math.Min(batch, pp);
        var seqs = (double)batch / microBatches;
        var groupSeqs = dp > 1 ? Math.Ceiling((seqs / dp) - 1e-9) : seqs; // the most loaded attention group sets the step
        var q = _queryTokensPerSequence;
        var tokens = seqs * q;
        var groupTokens = groupSeqs * q;
        var touched = ExpectedDistinctExperts(_experts, _expertsPerToken, tokens);

        var worst = default(StageWork);
        var worstTime = double.NegativeInfinity;
        double energyAllStages = 0;
        foreach (var stage in _stages)
        {
            var work = StageWork.For(stage, this, groupSeqs, groupTokens, tokens, touched, context);
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
        var step = Math.Max(roofline, tEnergy);
        var bound = tEnergy > roofline ? SolBound.Energy
            : tComm > memoryOrCompute ? SolBound.Comm
            : tCompute > tWeights + tKv ? SolBound.Compute
            : tWeights >= tKv ? SolBound.Weights : SolBound.Kv;
        var sum = tWeights + tKv + tCompute + tComm;

        var gpus = par.GpusPerReplica;
        var perToken = step / _acceptedTokensPerStep;
        var outputTokens = batch * _acceptedTokensPerStep;
        var joules = (gpus * _idlePower * step) + (par.Tp * microBatches * energyAllStages);
        var (fits, maxBatch, residentWeights, residentKv) = Capacity(batch, context);

        return new SolResult
        {
            Model = Configuration.Model.Id,
            Gpu = Configuration.Gpu.Id,
            Tp = par.Tp,
            Pp = pp,
            Ep = par.Ep,
            AttentionDp = dp,
            Batch = batch,
            Context = context,
            WeightBytesPerGpu = microBatches * worst.WeightBytes,
            KvBytesPerGpu = microBatches * worst.KvBytes,
            KvBytesPerToken = KvBytesPerToken,
            FlopsPerGpu = microBatches * worst.Flops,
            CommBytesPerGpu = microBatches * worst.CommBytes,
            CollectivesPerStep = pp * worst.Collectives,
            Seconds = new SolSeconds(tWeights, tKv, tCompute, tComm, tEnergy, step),
            Bound = bound,
            Shares = new SolShares(tWeights / sum, tKv / sum, tCompute / sum, tComm / sum),
            SecondsPerOutputToken = perToken,
            TokensPerSecondPerUser = 1 / perToken,
            TokensPerSecondPerGpu = outputTokens / (step * gpus),
            JoulesPerToken = joules / outputTokens,
            ExpectedExpertsPerLayer = _experts > 0 ? touched : null,
            ResidentWeightBytesPerGpu = residentWeights,
            ResidentKvBytesPerGpu = residentKv,
            MemoryBytesPerGpu = _memoryBytes,
            Fits = fits,
            MaxBatchThatFits = maxBatch,
            Warnings = PointWarnings(batch, fits, residentWeights + residentKv),
        };
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

    /// <summary>One GPU's work for one micro-batch on one stage.</summary>
    private readonly record struct StageWork(double WeightBytes, double KvBytes, double Flops, double CommBytes, int Collectives, double Joules)
    {
        public static StageWork For(StagePlan s, PreparedSol sol, double groupSeqs, double groupTokens, double tokens, double touchedExperts, double context)
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

            var kvBytes = (groupSeqs * kvRead) + (groupTokens * kvWritePerToken);
            var totalFlops = (groupTokens * (s.GroupLinearFlopsPerToken + scorePerQuery)) + (tokens * s.AllLinearFlopsPerToken);
            var commBytes = (groupTokens * s.CommBytesPerGroupToken) + (tokens * s.CommBytesPerToken);
            var joules = (sol._hbmJoulesPerByte * (weightBytes + kvBytes)) + (sol._joulesPerFlop * totalFlops) + (sol._linkJoulesPerByte * commBytes);
            return new StageWork(weightBytes, kvBytes, totalFlops, commBytes, s.Collectives, joules);
        }

        public double CriticalPath(PreparedSol sol) =>
            Math.Max((WeightBytes + KvBytes) / sol._hbmBandwidth, Flops / sol._peakFlops)
            + (CommBytes / sol._linkBandwidth) + (Collectives * sol._collectiveLatency);
    }
}
