using SolProfiler.Telemetry.Serving;
using SolProfiler.Analysis.Windows;

namespace SolProfiler.Analysis.Tests.Windows;

/// <summary>The per-step quantities of a window (DESIGN section 4): per-step ratios of counters, and the slots' live step.</summary>
public sealed class StepSignalRateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

    private static ServingSample At(double seconds) => new()
    {
        Server = ServerKind.LlamaCpp,
        Engine = "0",
        Timestamp = T0.AddSeconds(seconds),
    };

    private static ServingSlots Slots(double seconds, params SlotState[] slots) => new(T0.AddSeconds(seconds), slots);

    private static SlotState Busy(int id, long task, double decoded, double prompt = 100) => new(id, task, true, prompt, decoded);

    private static SlotState Idle(int id) => new(id, null, false, 0, 0);

    [Fact]
    public void Sequences_and_prompt_tokens_per_step_are_ratios_of_counter_increases()
    {
        // 547 -> 605 steps (+58); busy slot-steps 856 -> 950 (+94); computed prompt tokens 40 -> 44 (+4).
        var a = At(0) with { EngineStepsTotal = 547, BatchSequencesTotal = 856, PromptTokensComputedTotal = 40, ScheduledTokensTotal = 1000 };
        var b = At(2) with { EngineStepsTotal = 605, BatchSequencesTotal = 950, PromptTokensComputedTotal = 44, ScheduledTokensTotal = 1116 };

        var r = ServingRateCalculator.Compute([a, b])!;

        Assert.Equal(94.0 / 58, r.MeanSequencesPerStep!.Value, 12);
        Assert.Equal(4.0 / 58, r.MeanComputedPromptTokensPerStep!.Value, 12);
        Assert.Equal(2.0, r.MeanScheduledTokensPerStep!.Value, 12);
        Assert.Equal(29, r.EngineStepsPerSecond!.Value, 12);
        Assert.Equal(2, r.ComputedPromptTokensPerSecond!.Value, 12);
    }

    [Fact]
    public void No_step_increase_gives_no_per_step_ratio_rather_than_infinity()
    {
        var a = At(0) with { EngineStepsTotal = 10, BatchSequencesTotal = 40, PromptTokensComputedTotal = 5 };
        var b = At(1) with { EngineStepsTotal = 10, BatchSequencesTotal = 40, PromptTokensComputedTotal = 9 };

        var r = ServingRateCalculator.Compute([a, b])!;

        Assert.Null(r.MeanSequencesPerStep);
        Assert.Null(r.MeanComputedPromptTokensPerStep);
        Assert.Equal(4, r.ComputedPromptTokensPerSecond);
    }

    [Fact]
    public void Speculative_counters_give_draft_and_accepted_tokens_per_verify_step()
    {
        // 300 verify steps drafting 900 tokens, 570 accepted: 3 drafted, 1.9 accepted, 2.9 emitted per step.
        var a = At(0) with { SpecDecodeDraftsTotal = 1000, SpecDecodeDraftTokensTotal = 3000, SpecDecodeAcceptedTokensTotal = 2000 };
        var b = At(5) with { SpecDecodeDraftsTotal = 1300, SpecDecodeDraftTokensTotal = 3900, SpecDecodeAcceptedTokensTotal = 2570 };

        var r = ServingRateCalculator.Compute([a, b])!;

        Assert.Equal(3, r.SpecDecodeDraftTokensPerDraft!.Value, 12);
        Assert.Equal(1.9, r.SpecDecodeAcceptedTokensPerDraft!.Value, 12);
        Assert.Equal(570.0 / 900, r.SpecDecodeAcceptanceRatio!.Value, 12);
    }

    [Fact]
    public void Slot_progress_is_wall_time_per_generated_token_of_the_same_request()
    {
        // Two slots generate 100 tokens each per second: 10 ms per token. Slot 2 is idle and says nothing.
        var samples = new[]
        {
            At(0) with { Slots = Slots(0.0, Busy(0, 7, 10), Busy(1, 8, 50), Idle(2)) },
            At(1) with { Slots = Slots(1.0, Busy(0, 7, 110), Busy(1, 8, 150), Idle(2)) },
            At(2) with { Slots = Slots(2.0, Busy(0, 7, 210), Busy(1, 8, 250), Idle(2)) },
        };

        var r = ServingRateCalculator.Compute(samples)!;

        Assert.Equal(0.010, r.SlotStepSeconds!.Value, 12);
        Assert.Equal(400, r.SlotStepTokens);
        Assert.Equal(2, r.MeanProcessingSlots);
        Assert.Equal(100 + ((110 + 150 + 210 + 250 + 10 + 50) / 6.0), r.MeanSlotContextTokens!.Value, 9);
    }

    [Fact]
    public void A_slot_that_changed_request_or_is_still_in_its_prompt_is_not_a_step()
    {
        // Slot 0 finished task 7 and started task 9 between the reads (its count fell): skipped. Slot 1 had generated
        // nothing yet at the first read (prompt phase): skipped. Slot 2 advanced 50 tokens in 0.5 s: 10 ms.
        var samples = new[]
        {
            At(0) with { Slots = Slots(0.0, Busy(0, 7, 60), Busy(1, 8, 0), Busy(2, 5, 20)) },
            At(1) with { Slots = Slots(0.5, Busy(0, 9, 3), Busy(1, 8, 40), Busy(2, 5, 70)) },
        };

        var r = ServingRateCalculator.Compute(samples)!;

        Assert.Equal(0.010, r.SlotStepSeconds!.Value, 12);
        Assert.Equal(50, r.SlotStepTokens);
    }

    [Fact]
    public void A_missing_slot_read_breaks_the_pairing_instead_of_spanning_the_gap()
    {
        var samples = new[]
        {
            At(0) with { Slots = Slots(0, Busy(0, 7, 10)) },
            At(1),
            At(2) with { Slots = Slots(2, Busy(0, 7, 210)) },
        };

        var r = ServingRateCalculator.Compute(samples)!;

        Assert.Null(r.SlotStepSeconds);
        Assert.Equal(1, r.MeanProcessingSlots);
    }
}
