using SolProfiler.Analysis;
using SolProfiler.Telemetry.Serving;
using SolProfiler.Analysis.Windows;

namespace SolProfiler.Analysis.Tests;

/// <summary>
/// The estimate precedences of DESIGN section 4: each quantity from the best signal present, labelled, down to a
/// configured default; invalid only without decode traffic or a step signal.
/// </summary>
public sealed class EngineEstimateTests
{
    private const double MinObservations = 20;
    private const double DefaultContext = 1024;

    private static ServingRates Rates(ServerKind server) => new()
    {
        Server = server,
        Engine = "0",
        Samples = 11,
        Covered = TimeSpan.FromSeconds(10),
        CounterResets = 0,
    };

    /// <summary>A llama.cpp window as its /metrics and /slots give it: no KV capacity, no request counter.</summary>
    private static ServingRates LlamaCpp() => Rates(ServerKind.LlamaCpp) with
    {
        GenerationTokensPerSecond = 150,
        MeanInterTokenLatencySeconds = 0.0186, // the counters' ratio, biased low by 1/n
        InterTokenObservations = 1500, // 150 tokens/s over the 10 s window
        MeanRunningRequests = 4,
        MeanSequencesPerStep = 3.7,
        EngineStepsPerSecond = 41,
        MeanComputedPromptTokensPerStep = 0.07,
        SlotStepSeconds = 0.0243,
        SlotStepTokens = 1200,
        MeanProcessingSlots = 3.9,
        MeanSlotContextTokens = 160,
    };

    private static EngineEstimate Valid(ServingRates r)
    {
        var (estimate, reason) = EngineEstimate.For(r, MinObservations, DefaultContext);
        Assert.True(estimate is not null, reason);
        return estimate;
    }

    [Fact]
    public void Llama_cpp_takes_its_step_from_the_slots_its_batch_per_step_and_its_context_from_the_slots()
    {
        var e = Valid(LlamaCpp());

        Assert.Equal(0.0243, e.StepSeconds, 12);
        Assert.StartsWith("llamacpp:/slots", e.StepSource, StringComparison.Ordinal);
        Assert.Equal(3.7, e.Batch, 12);
        Assert.Equal("sequences-per-engine-step", e.BatchSource);
        Assert.Equal(160, e.ContextTokens, 12);
        Assert.Equal("slots", e.ContextSource);
        Assert.Equal(0.07, e.PrefillTokensPerStep, 12);
        Assert.Equal("computed-prompt-tokens-per-engine-step", e.PrefillSource);
        Assert.Equal(1, e.EmittedTokensPerStep);
        Assert.Equal("none", e.SpeculationSource);
    }

    [Fact]
    public void Without_slots_llama_cpp_falls_back_to_its_counters_and_the_configured_context()
    {
        var e = Valid(LlamaCpp() with { SlotStepSeconds = null, SlotStepTokens = null, MeanProcessingSlots = null, MeanSlotContextTokens = null });

        Assert.Equal(0.0186, e.StepSeconds, 12);
        Assert.Contains("biased low by 1/n", Assert.Single(e.Warnings), StringComparison.Ordinal);
        Assert.Equal(DefaultContext, e.ContextTokens);
        Assert.Equal(EngineEstimate.ConfiguredDefault, e.ContextSource);
    }

    [Fact]
    public void Without_a_batch_signal_the_batch_is_the_generation_rate_times_the_step()
    {
        // 3,200 tokens/s at a 10 ms step: 32 tokens per step, one per sequence.
        var r = Rates(ServerKind.Vllm) with { GenerationTokensPerSecond = 3200, MeanInterTokenLatencySeconds = 0.010, InterTokenObservations = 5000 };

        var e = Valid(r);

        Assert.Equal(32, e.Batch, 9);
        Assert.Equal("generation-rate-x-step", e.BatchSource);
        Assert.Equal(0, e.PrefillTokensPerStep);
        Assert.Equal("none", e.PrefillSource);
    }

    [Fact]
    public void Vllm_speculation_comes_from_its_counters_and_the_step_stays_per_step()
    {
        // vLLM's inter-token histogram observes once per step; 3 drafted, 1.9 accepted: 2.9 tokens per step.
        var r = Rates(ServerKind.Vllm) with
        {
            GenerationTokensPerSecond = 2900,
            MeanInterTokenLatencySeconds = 0.012,
            InterTokenObservations = 2000,
            MeanRunningRequests = 16,
            SpecDecodeDraftTokensPerDraft = 3,
            SpecDecodeAcceptedTokensPerDraft = 1.9,
        };

        var e = Valid(r);

        Assert.Equal(0.012, e.StepSeconds, 12);
        Assert.Equal(2.9, e.EmittedTokensPerStep, 12);
        Assert.Equal(3, e.DraftTokensPerStep, 12);
        Assert.Equal("speculative-counters", e.SpeculationSource);
    }

    [Fact]
    public void A_token_weighted_latency_is_scaled_to_a_step_under_speculation()
    {
        // SGLang's inter-token latency is per token: 4 ms per token at 2.5 tokens per step is a 10 ms step.
        var r = Rates(ServerKind.Sglang) with
        {
            GenerationTokensPerSecond = 1000,
            MeanInterTokenLatencySeconds = 0.004,
            InterTokenObservations = 500,
            MeanRunningRequests = 4,
            MeanSpecDecodeEmittedTokensPerStep = 2.5,
        };

        var e = Valid(r);

        Assert.Equal(0.010, e.StepSeconds, 12);
        Assert.Equal("accepted-length-gauge", e.SpeculationSource);
        Assert.Equal(1.5, e.DraftTokensPerStep, 12);
    }

    [Fact]
    public void Acceptance_above_the_draft_length_is_reported_and_dropped()
    {
        var r = Rates(ServerKind.Vllm) with
        {
            GenerationTokensPerSecond = 1000,
            MeanInterTokenLatencySeconds = 0.01,
            InterTokenObservations = 500,
            MeanRunningRequests = 8,
            SpecDecodeDraftTokensPerDraft = 2,
            SpecDecodeAcceptedTokensPerDraft = 2.5,
        };

        var e = Valid(r);

        Assert.Equal(1, e.EmittedTokensPerStep);
        Assert.Contains("speculative counters disagree", Assert.Single(e.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Tgi_runs_prefill_as_its_own_forward_so_a_decode_step_carries_no_prompt_tokens()
    {
        var r = Rates(ServerKind.Tgi) with
        {
            GenerationTokensPerSecond = 500,
            MeanInterTokenLatencySeconds = 0.02,
            InterTokenObservations = 400,
            MeanRunningRequests = 10,
            ComputedPromptTokensPerSecond = 4000,
        };

        var e = Valid(r);

        Assert.Equal(0, e.PrefillTokensPerStep);
        Assert.Equal("separate-prefill-forward", e.PrefillSource);
    }

    [Fact]
    public void The_computed_prompt_rate_times_the_step_is_the_last_prompt_estimate()
    {
        // 6,000 computed prompt tokens/s at a 20 ms step: 120 per step.
        var r = Rates(ServerKind.Vllm) with
        {
            GenerationTokensPerSecond = 1600,
            MeanInterTokenLatencySeconds = 0.02,
            InterTokenObservations = 1000,
            MeanRunningRequests = 32,
            ComputedPromptTokensPerSecond = 6000,
        };

        Assert.Equal(120, Valid(r).PrefillTokensPerStep, 9);
    }

    [Fact]
    public void Prompt_tokens_of_steps_the_latency_histogram_never_timed_are_left_out()
    {
        // Four clients in lock step: 17 steps per round, 2 of them only computing 4,096-token prompts (nobody decodes,
        // so vLLM's inter-token histogram does not observe them), 15 decoding all four. Over 10 s of 100 rounds:
        // 1,700 steps, 6,000 observations; 6,000 / (1,700 x 4) = 88 % coverage.
        var r = Rates(ServerKind.Vllm) with
        {
            GenerationTokensPerSecond = 640,
            MeanInterTokenLatencySeconds = 0.003,
            InterTokenObservations = 6000,
            MeanRunningRequests = 4,
            EngineStepsPerSecond = 170,
            MeanComputedPromptTokensPerStep = 16384.0 / 17,
        };

        var e = Valid(r);

        Assert.Equal(0, e.PrefillTokensPerStep);
        Assert.Equal("left-out-steps-not-timed", e.PrefillSource);
        Assert.Contains("left out of the SOL", Assert.Single(e.Warnings), StringComparison.Ordinal);

        // The same prompt work spread over steps that all decode (coverage 100 %) is kept.
        var spread = Valid(r with { InterTokenObservations = 6800 });
        Assert.Equal(16384.0 / 17, spread.PrefillTokensPerStep, 9);
    }

    [Fact]
    public void No_step_signal_and_no_traffic_are_the_only_reasons_for_no_estimate()
    {
        var (none, why) = EngineEstimate.For(Rates(ServerKind.Vllm) with { MeanRunningRequests = 3 }, MinObservations, DefaultContext);
        Assert.Null(none);
        Assert.Contains("no step signal", why, StringComparison.Ordinal);

        var idle = Rates(ServerKind.Vllm) with { GenerationTokensPerSecond = 0, MeanInterTokenLatencySeconds = 0.01, InterTokenObservations = 3 };
        var (quiet, reason) = EngineEstimate.For(idle, MinObservations, DefaultContext);
        Assert.Null(quiet);
        Assert.Contains("no decode traffic", reason, StringComparison.Ordinal);
    }
}
