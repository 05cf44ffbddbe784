using SolProfiler.Telemetry.Serving;
using SolProfiler.Analysis.Windows;

namespace SolProfiler.Analysis;

/// <summary>
/// What one engine ran over the window, each quantity from the best signal its server gives, in a fixed, documented
/// precedence (DESIGN section 4: a window is never invalid for want of a quantity that can be estimated), and the name
/// of the signal it came from. Pure arithmetic over one engine's <see cref="ServingRates"/>.
/// </summary>
/// <remarks>
/// Precedences (first available wins):
/// <list type="bullet">
/// <item>step: the server's slots (wall time per generated token per slot, llama.cpp <c>/slots</c>); the server's
/// per-step latency histogram; its per-token counters (llama.cpp's, biased low by 1/n).</item>
/// <item>batch: sequences per engine step from step counters; the running-requests gauge; processing slots; the
/// generation rate times the step over the tokens each sequence emits per step (Little's law).</item>
/// <item>context: KV-cache usage x capacity / batch; the slots' context; the token and request counters; the
/// configured default.</item>
/// <item>prompt tokens per step (P): computed prompt tokens over engine steps (left out, P = 0, when a per-step latency
/// histogram saw under 90 % of engine steps x batch: the prompts then ran in steps it did not time); the server's
/// last-step gauge; the computed prompt rate times the step; zero where the server runs prefill as a forward of its
/// own (TGI), or where it publishes no prompt signal at all.</item>
/// <item>tokens emitted per sequence per step: 1 + accepted over drafts from the speculative counters; the server's
/// accepted-length gauge; 1 (no speculation).</item>
/// </list>
/// </remarks>
public sealed record EngineEstimate
{
    public required double StepSeconds { get; init; }

    public required double StepObservations { get; init; }

    public required string StepSource { get; init; }

    public required double Batch { get; init; }

    public required string BatchSource { get; init; }

    public required double ContextTokens { get; init; }

    public required string ContextSource { get; init; }

    public required double PrefillTokensPerStep { get; init; }

    public required string PrefillSource { get; init; }

    /// <summary>Draft positions each sequence scores per verify step (0 without speculation).</summary>
    public required double DraftTokensPerStep { get; init; }

    /// <summary>Tokens emitted per sequence per step (accepted drafts + 1; 1 without speculation).</summary>
    public required double EmittedTokensPerStep { get; init; }

    public required string SpeculationSource { get; init; }

    public required double TokensPerSecond { get; init; }

    /// <summary>Counters that contradict each other or physics, dropped, each in one line.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public const string ConfiguredDefault = "configured-default";

    /// <summary>The engine's estimate, or null with the reason when it shows no decode traffic or no step signal.</summary>
    public static (EngineEstimate? Estimate, string? Reason) For(ServingRates r, double minTokenObservations, double defaultContextTokens)
    {
        ArgumentNullException.ThrowIfNull(r);
        var warnings = new List<string>();
        var (emitted, draft, specSource) = Speculation(r, warnings);
        var step = StepOf(r, minTokenObservations, emitted);
        // llama.cpp's generation counter moves only when a request ends: while long requests run, the slots' progress
        // is the live count (a lower bound: only slots seen in two consecutive reads count).
        var tokensPerSecond = r.GenerationTokensPerSecond is > 0 ? r.GenerationTokensPerSecond.Value
            : r.SlotStepTokens is > 0 && r.Covered > TimeSpan.Zero ? r.SlotStepTokens.Value / r.Covered.TotalSeconds
            : 0;
        if (step is null)
        {
            return (null, r.MeanInterTokenLatencySeconds is null && r.GenerationTokensPerSecond is null && r.SlotStepSeconds is null
                ? "the server exposes no step signal (no inter-token latency, generation counter or slot progress)"
                : $"no decode traffic in the window ({r.InterTokenObservations ?? r.SlotStepTokens ?? 0:0} step observations, {tokensPerSecond:0.#} tokens/s)");
        }

        if (tokensPerSecond <= 0)
        {
            return (null, "no decode traffic in the window (no generated tokens)");
        }

        var s = step.Value;
        if (r.Server == ServerKind.LlamaCpp && !s.FromSlots)
        {
            // The slots' step is live and unbiased; without them the counters are all there is (see the step source).
            warnings.Add("llama.cpp's /slots gave no step (not read, or no slot seen advancing in two reads): the step comes from its seconds counters, biased low by 1/n per request of n tokens");
        }

        var (batch, batchSource) = BatchOf(r, s.Seconds, tokensPerSecond, emitted);
        var (context, contextSource) = ContextOf(r, batch, defaultContextTokens);
        var (prefill, prefillSource) = Prefill(r, s, batch, warnings);
        return (new EngineEstimate
        {
            StepSeconds = s.Seconds,
            StepObservations = s.Observations,
            StepSource = s.Source,
            Batch = batch,
            BatchSource = batchSource,
            ContextTokens = context,
            ContextSource = contextSource,
            PrefillTokensPerStep = prefill,
            PrefillSource = prefillSource,
            DraftTokensPerStep = draft,
            EmittedTokensPerStep = emitted,
            SpeculationSource = specSource,
            TokensPerSecond = tokensPerSecond,
            Warnings = warnings,
        }, null);
    }

    private readonly record struct StepSignal(double Seconds, double Observations, string Source, bool FromSlots = false);

    /// <summary>
    /// The mean engine step. Slot progress and llama.cpp's counters time one output token, SGLang's and Dynamo's
    /// inter-token histograms are token-weighted; with speculation a step emits several tokens, so those are scaled
    /// by the tokens emitted per step. vLLM's and TGI's histograms observe once per step already.
    /// </summary>
    private static StepSignal? StepOf(ServingRates r, double minObservations, double emitted)
    {
        if (r.SlotStepSeconds is > 0 and var slot && r.SlotStepTokens >= minObservations)
        {
            return new StepSignal(slot * emitted, r.SlotStepTokens.Value / emitted, "llamacpp:/slots: wall time per generated token per slot, between slot reads of the same request", FromSlots: true);
        }

        if (r.MeanInterTokenLatencySeconds is > 0 and var itl && r.InterTokenObservations >= minObservations)
        {
            var perToken = r.Server is ServerKind.LlamaCpp or ServerKind.Sglang or ServerKind.Dynamo;
            var source = r.InterTokenLatencySource ?? "inter-token latency";
            return new StepSignal(perToken ? itl * emitted : itl, r.InterTokenObservations.Value, source);
        }

        return null;
    }

    private static (double Batch, string Source) BatchOf(ServingRates r, double step, double tokensPerSecond, double emitted)
    {
        if (r.MeanSequencesPerStep is > 0 and var perStep)
        {
            return (perStep, "sequences-per-engine-step");
        }

        if (r.MeanRunningRequests is > 0 and var running)
        {
            return (running, "running-requests");
        }

        if (r.MeanProcessingSlots is > 0 and var slots)
        {
            return (slots, "processing-slots");
        }

        // Little's law over one step: the tokens the engine emits per step are the batch times what each emits.
        return (Math.Max(1, tokensPerSecond * step / emitted), "generation-rate-x-step");
    }

    private static (double Tokens, string Source) ContextOf(ServingRates r, double batch, double defaultContext)
    {
        if (r.MeanKvCacheUsageRatio is { } usage && r.KvCacheCapacityTokens is > 0 and var capacity && batch > 0)
        {
            return (usage * capacity / batch, "kv-cache-usage");
        }

        if (r.MeanSlotContextTokens is > 0 and var slots)
        {
            return (slots, "slots");
        }

        if (r.RequestsFinishedPerSecond is > 0 and var finished && r.PromptTokensPerSecond is { } prompt && r.GenerationTokensPerSecond is { } generated)
        {
            // A request decodes through its prompt and, on average, half its output.
            return ((prompt + (generated / 2)) / finished, "token-counters");
        }

        return (defaultContext, ConfiguredDefault);
    }

    /// <summary>Below this share of engine steps seen by the step signal, prompt tokens per engine step do not describe the steps it timed.</summary>
    internal const double MinStepCoverage = 0.9;

    private static (double Tokens, string Source) Prefill(ServingRates r, StepSignal signal, double batch, List<string> warnings)
    {
        var step = signal.Seconds;
        if (r.Server == ServerKind.Tgi)
        {
            // TGI runs a new request's prefill as a forward of its own, never inside a decode step.
            return (0, "separate-prefill-forward");
        }

        if (r.MeanComputedPromptTokensPerStep is { } perStep)
        {
            // A per-step latency histogram (vLLM's) observes each decoding request once per step, so it never times a
            // step in which nobody decoded: a closed loop whose clients start together computes its prompts in such
            // steps. Their prompt tokens must not be charged to the steps it did time, or the SOL would exceed the
            // measured step. Seen as fewer observations than engine steps x batch; then P is left out (a lower bound).
            if (!signal.FromSlots && r.EngineStepsPerSecond is > 0 and var steps && r.Covered > TimeSpan.Zero && batch > 0)
            {
                var coverage = signal.Observations / (steps * r.Covered.TotalSeconds * batch);
                if (coverage < MinStepCoverage && perStep > 0)
                {
                    warnings.Add($"prompt tokens per step ({perStep:0.#}) left out of the SOL: the step signal saw {coverage:P0} of engine steps x batch, so prompts ran in steps it did not time (clients in lock step?)");
                    return (0, "left-out-steps-not-timed");
                }
            }

            return (perStep, "computed-prompt-tokens-per-engine-step");
        }

        if (r.MeanPrefillTokensLastStep is { } gauge)
        {
            return (gauge, "last-step-prompt-tokens");
        }

        if (r.ComputedPromptTokensPerSecond is { } rate)
        {
            return (rate * step, "computed-prompt-rate-x-step");
        }

        return (0, "none");
    }

    private static (double Emitted, double Draft, string Source) Speculation(ServingRates r, List<string> warnings)
    {
        if (r.SpecDecodeAcceptedTokensPerDraft is { } accepted && r.SpecDecodeDraftTokensPerDraft is { } draft && draft > 0)
        {
            if (accepted <= draft)
            {
                return (1 + accepted, draft, "speculative-counters");
            }

            warnings.Add($"speculative counters disagree: {accepted:0.###} tokens accepted per draft of {draft:0.###}; acceptance dropped");
        }

        if (r.MeanSpecDecodeEmittedTokensPerStep is { } emitted)
        {
            if (emitted >= 1)
            {
                // The gauge does not say how many positions were drafted: at least the emitted ones less the bonus token.
                return (emitted, emitted - 1, "accepted-length-gauge");
            }

            warnings.Add($"speculative accept length {emitted:0.###} is below 1; dropped");
        }

        return (1, 0, "none");
    }
}
