using SolProfiler.Telemetry.Serving;

namespace SolProfiler.Analysis.Windows;

/// <summary>
/// What one engine did over a window, from the deltas of its cumulative counters and histograms and the mean of its
/// gauges. Null where the server does not expose the input, or the window holds fewer than two usable scrapes.
/// </summary>
public sealed record ServingRates
{
    public required ServerKind Server { get; init; }

    public required string Engine { get; init; }

    public string? Model { get; init; }

    /// <summary>Scrapes in the window.</summary>
    public required int Samples { get; init; }

    /// <summary>Time from the first to the last scrape of the window.</summary>
    public required TimeSpan Covered { get; init; }

    public double? GenerationTokensPerSecond { get; init; }

    public double? PromptTokensPerSecond { get; init; }

    /// <summary>Mean inter-token latency over the window: delta(sum) / delta(count) of the server's histogram, seconds.</summary>
    public double? MeanInterTokenLatencySeconds { get; init; }

    public double? InterTokenObservations { get; init; }

    public string? InterTokenLatencySource { get; init; }

    public double? MeanTimeToFirstTokenSeconds { get; init; }

    public double? MeanE2eLatencySeconds { get; init; }

    /// <summary>Requests finished per second: the increase of the end-to-end latency histogram's count.</summary>
    public double? RequestsFinishedPerSecond { get; init; }

    public double? MeanRunningRequests { get; init; }

    public double? MeanWaitingRequests { get; init; }

    public double? MeanKvCacheUsageRatio { get; init; }

    public double? KvCacheCapacityTokens { get; init; }

    public double? PreemptionsPerSecond { get; init; }

    /// <summary>Accepted / proposed draft tokens over the window (speculative decoding).</summary>
    public double? SpecDecodeAcceptanceRatio { get; init; }

    /// <summary>Draft tokens proposed per sequence per verify step: delta(draft tokens) / delta(drafts).</summary>
    public double? SpecDecodeDraftTokensPerDraft { get; init; }

    /// <summary>Draft tokens accepted per sequence per verify step: delta(accepted) / delta(drafts); tokens emitted per step are this + 1.</summary>
    public double? SpecDecodeAcceptedTokensPerDraft { get; init; }

    /// <summary>Mean of the server's own emitted-tokens-per-step gauge (SGLang <c>spec_accept_length</c>).</summary>
    public double? MeanSpecDecodeEmittedTokensPerStep { get; init; }

    /// <summary>Engine steps (forward passes) per second.</summary>
    public double? EngineStepsPerSecond { get; init; }

    /// <summary>Sequences per engine step: delta(sequences summed over steps) / delta(steps) (llama.cpp's busy slots per decode).</summary>
    public double? MeanSequencesPerStep { get; init; }

    /// <summary>Tokens (prompt and generation) scheduled per engine step (vLLM <c>iteration_tokens_total</c>).</summary>
    public double? MeanScheduledTokensPerStep { get; init; }

    /// <summary>Prompt tokens computed per second, prefix-cache hits excluded.</summary>
    public double? ComputedPromptTokensPerSecond { get; init; }

    public double? PrefixCacheHitTokensPerSecond { get; init; }

    /// <summary>Computed prompt tokens per engine step: delta(computed prompt tokens) / delta(steps).</summary>
    public double? MeanComputedPromptTokensPerStep { get; init; }

    /// <summary>Mean of the server's computed-prompt-tokens-in-the-last-step gauge (Triton's <c>total_context_tokens</c>).</summary>
    public double? MeanPrefillTokensLastStep { get; init; }

    /// <summary>Mean wall time per generated token per slot, from consecutive slot reads (llama.cpp <c>/slots</c>).</summary>
    public double? SlotStepSeconds { get; init; }

    /// <summary>Tokens the slot-read step is measured over.</summary>
    public double? SlotStepTokens { get; init; }

    /// <summary>Mean slots processing a request per slot read.</summary>
    public double? MeanProcessingSlots { get; init; }

    /// <summary>Mean context (prompt plus generated tokens) of a processing slot.</summary>
    public double? MeanSlotContextTokens { get; init; }

    /// <summary>Counters or histograms that went backwards (a server restart) inside the window; handled, never negative.</summary>
    public required int CounterResets { get; init; }
}
