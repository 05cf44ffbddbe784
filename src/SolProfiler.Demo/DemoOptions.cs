using SolProfiler.Sol;

namespace SolProfiler.Demo;

/// <summary>
/// Settings of <c>solprof agent --demo</c>: what the simulated server serves, on which GPUs, how far from the SOL it
/// runs (the inefficiencies the agent should find again) and the load it sees. Defaults give a plausible Llama 3.1
/// 70B FP8 deployment on eight H100 SXM.
/// </summary>
public sealed record DemoOptions
{
    public string Model { get; set; } = "llama-3.1-70b";

    public string Gpu { get; set; } = "h100-sxm";

    public int Tp { get; set; } = 8;

    public string Weights { get; set; } = "fp8";

    public string Kv { get; set; } = "fp8";

    public string Activations { get; set; } = "fp8";

    /// <summary>Fraction of peak HBM bandwidth achieved while a step moves bytes.</summary>
    public double HbmEfficiency { get; set; } = 0.80;

    /// <summary>Bytes read beyond what the SOL needs, as a fraction of it (padding, re-reads, dequantisation scratch).</summary>
    public double ExtraBytesRatio { get; set; } = 0.05;

    /// <summary>
    /// Whether the engine copies each KV head to every attention rank that holds one (as engines do when the KV heads
    /// are fewer than the TP ranks) instead of splitting the cache by sequence: it then reads
    /// <see cref="SolProfiler.Sol.Modeling.SolResult.ReplicatedKvBytesPerGpu"/>, which the agent should find as extra bytes.
    /// </summary>
    public bool ReplicateKvHeads { get; set; }

    /// <summary>GPU idle per step: scheduling, sampling, Python.</summary>
    public double HostOverheadSeconds { get; set; } = 0.0015;

    /// <summary>Communication time per step beyond the SOL's, on the critical path (not overlapped).</summary>
    public double ExposedCommunicationSeconds { get; set; } = 0.0008;

    /// <summary>Fraction of SMs the collective kernels keep busy while they run.</summary>
    public double CommSmShare { get; set; } = 0.15;

    /// <summary>One period of the background load cycle (MinBatch up to MaxBatch and back).</summary>
    public TimeSpan CyclePeriod { get; set; } = TimeSpan.FromMinutes(4);

    public int MinBatch { get; set; } = 1;

    public int MaxBatch { get; set; } = 128;

    /// <summary>When set, the background load holds this many sequences (no cycle).</summary>
    public int? FixedBatch { get; set; }

    /// <summary>Whether the server runs its own closed-loop load; off, only external requests decode.</summary>
    public bool BackgroundLoad { get; set; } = true;

    public int PromptTokens { get; set; } = 1024;

    /// <summary>
    /// Tokens one engine step may schedule, decode and prompt together (vLLM's <c>max_num_batched_tokens</c>; its V1
    /// default for the OpenAI server on a GPU of 70 GiB or more is 8192). Prompts are computed in chunks inside the
    /// decode steps (chunked prefill, always on in vLLM V1), from what the decode tokens leave of this budget.
    /// </summary>
    public int MaxBatchedTokens { get; set; } = 8192;

    /// <summary>
    /// The most prompt tokens one request may compute in one step (vLLM's <c>long_prefill_token_threshold</c>); 0: no
    /// limit below <see cref="MaxBatchedTokens"/> (vLLM's default), so a short prompt is one chunk.
    /// </summary>
    public int LongPrefillTokenThreshold { get; set; }

    /// <summary>Share of each prompt found in the prefix cache (not computed; vLLM counts it in <c>prefix_cache_hits</c>).</summary>
    public double PrefixCacheHitRatio { get; set; }

    /// <summary>Speculative decoding: draft tokens proposed per sequence per step (vLLM's <c>num_speculative_tokens</c>); 0 = off.</summary>
    public int DraftTokens { get; set; }

    /// <summary>
    /// Speculative decoding: the chance that a draft token is accepted given the ones before it were; the mean
    /// accepted length of a chain of k drafts is then a + a^2 + ... + a^k.
    /// </summary>
    public double DraftAcceptanceRate { get; set; } = 0.7;

    /// <summary>Mean draft tokens accepted per sequence per step.</summary>
    public double MeanAcceptedTokens
    {
        get
        {
            double sum = 0, term = 1;
            for (var i = 0; i < DraftTokens; i++)
            {
                term *= DraftAcceptanceRate;
                sum += term;
            }

            return sum;
        }
    }

    public int OutputTokens { get; set; } = 512;

    /// <summary>Port of the simulated server on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>The NVML stand-in to drive; null: <c>SOLPROF_NVML_LIBRARY</c>, else the build under the repository.</summary>
    public string? NvmlLibraryPath { get; set; }

    /// <summary>Throws <see cref="SolInputException"/> naming the first bad option.</summary>
    public void Validate()
    {
        Require(!string.IsNullOrWhiteSpace(Model), "model must be given");
        Require(!string.IsNullOrWhiteSpace(Gpu), "gpu must be given");
        Require(Tp is >= 1 and <= 16, $"tp {Tp} must be between 1 and 16 (the NVML stand-in simulates up to 16 GPUs)");
        Require(HbmEfficiency > 0 && HbmEfficiency <= 1, $"hbm efficiency {HbmEfficiency} must be in (0, 1]");
        Require(ExtraBytesRatio >= 0 && double.IsFinite(ExtraBytesRatio), $"extra bytes ratio {ExtraBytesRatio} must be >= 0");
        Require(HostOverheadSeconds >= 0 && double.IsFinite(HostOverheadSeconds), $"host overhead {HostOverheadSeconds} s must be >= 0");
        Require(ExposedCommunicationSeconds >= 0 && double.IsFinite(ExposedCommunicationSeconds), $"exposed communication {ExposedCommunicationSeconds} s must be >= 0");
        Require(CommSmShare is >= 0 and <= 1, $"comm SM share {CommSmShare} must be in [0, 1]");
        Require(CyclePeriod > TimeSpan.Zero, $"cycle period {CyclePeriod} must be positive");
        Require(MinBatch >= 1, $"min batch {MinBatch} must be >= 1");
        Require(MaxBatch >= MinBatch, $"max batch {MaxBatch} must be >= min batch {MinBatch}");
        Require(MaxBatch <= 4096, $"max batch {MaxBatch} must be <= 4096");
        Require(FixedBatch is null or (>= 1 and <= 4096), $"fixed batch {FixedBatch} must be between 1 and 4096");
        Require(PromptTokens >= 1, $"prompt tokens {PromptTokens} must be >= 1");
        Require(OutputTokens >= 1, $"output tokens {OutputTokens} must be >= 1");
        Require(DraftTokens is >= 0 and <= 8, $"draft tokens {DraftTokens} must be between 0 and 8");
        Require(DraftAcceptanceRate is >= 0 and <= 1, $"draft acceptance rate {DraftAcceptanceRate} must be in [0, 1]");
        Require(PrefixCacheHitRatio is >= 0 and < 1, $"prefix cache hit ratio {PrefixCacheHitRatio} must be in [0, 1)");
        Require(LongPrefillTokenThreshold >= 0, $"long prefill token threshold {LongPrefillTokenThreshold} must be >= 0");
        var largestBatch = FixedBatch ?? MaxBatch;
        Require(MaxBatchedTokens > largestBatch * (1 + DraftTokens), $"max batched tokens {MaxBatchedTokens} must exceed the decode tokens of the largest batch, {largestBatch} x {1 + DraftTokens}, or no prompt could ever be computed");
        Require(Port is >= 0 and <= 65535, $"port {Port} must be between 0 and 65535");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new SolInputException("demo: " + message);
        }
    }
}
