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
public sealed partial class PreparedSol
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

    private IReadOnlyList<string> PointWarnings(int batch, bool fits, double needed)
    {
        var par = Configuration.Parallelism;
        return PointWarningList.Applies(batch, fits, par.Pp, par.AttentionDp)
            ? new PointWarningList(Warnings, batch, fits, needed, _memoryBytes, par.Pp, par.AttentionDp)
            : Warnings;
    }
}
