using SolProfiler.Telemetry.Serving;
using SolProfiler.Telemetry.Statistics;

namespace SolProfiler.Analysis.Windows;

/// <summary>Turns the scrapes of one engine over a window into <see cref="ServingRates"/>.</summary>
public static class ServingRateCalculator
{
    /// <param name="samples">Scrapes of one engine, oldest first.</param>
    public static ServingRates? Compute(IReadOnlyList<ServingSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return null;
        }

        CounterIncrease generation = default, prompt = default, preemptions = default, draft = default, accepted = default;
        CounterIncrease drafts = default, steps = default, stepSequences = default, scheduled = default, computed = default, cacheHits = default;
        HistogramIncrease itl = default, ttft = default, e2e = default;
        SlotProgress slots = default;
        foreach (var s in samples)
        {
            drafts.Add(s.SpecDecodeDraftsTotal, s.Timestamp);
            steps.Add(s.EngineStepsTotal, s.Timestamp);
            stepSequences.Add(s.BatchSequencesTotal, s.Timestamp);
            scheduled.Add(s.ScheduledTokensTotal, s.Timestamp);
            computed.Add(s.PromptTokensComputedTotal, s.Timestamp);
            cacheHits.Add(s.PrefixCacheHitTokensTotal, s.Timestamp);
            slots.Add(s.Slots);
            generation.Add(s.GenerationTokensTotal, s.Timestamp);
            prompt.Add(s.PromptTokensTotal, s.Timestamp);
            preemptions.Add(s.PreemptionsTotal, s.Timestamp);
            draft.Add(s.SpecDecodeDraftTokensTotal, s.Timestamp);
            accepted.Add(s.SpecDecodeAcceptedTokensTotal, s.Timestamp);
            itl.Add(s.InterTokenLatency, s.Timestamp);
            ttft.Add(s.TimeToFirstToken, s.Timestamp);
            e2e.Add(s.E2eLatency, s.Timestamp);
        }

        var last = samples[^1];
        return new ServingRates
        {
            Server = last.Server,
            Engine = last.Engine,
            Model = last.Model,
            Samples = samples.Count,
            Covered = last.Timestamp - samples[0].Timestamp,
            GenerationTokensPerSecond = generation.PerSecond,
            PromptTokensPerSecond = prompt.PerSecond,
            MeanInterTokenLatencySeconds = itl.Mean,
            InterTokenObservations = itl.Pairs > 0 ? itl.Count : null,
            InterTokenLatencySource = last.InterTokenLatencySource,
            MeanTimeToFirstTokenSeconds = ttft.Mean,
            MeanE2eLatencySeconds = e2e.Mean,
            RequestsFinishedPerSecond = e2e.Pairs > 0 && last.Timestamp > samples[0].Timestamp ? e2e.Count / (last.Timestamp - samples[0].Timestamp).TotalSeconds : null,
            MeanRunningRequests = FiniteMean.Of(samples, s => s.RunningRequests),
            MeanWaitingRequests = FiniteMean.Of(samples, s => s.WaitingRequests),
            MeanKvCacheUsageRatio = FiniteMean.Of(samples, s => s.KvCacheUsageRatio),
            KvCacheCapacityTokens = samples.LastOrDefault(s => s.KvCacheCapacityTokens is not null)?.KvCacheCapacityTokens,
            PreemptionsPerSecond = preemptions.PerSecond,
            SpecDecodeAcceptanceRatio = draft.Pairs > 0 && draft.Increase > 0 && accepted.Pairs > 0 ? accepted.Increase / draft.Increase : null,
            SpecDecodeDraftTokensPerDraft = PerStep(draft, drafts),
            SpecDecodeAcceptedTokensPerDraft = PerStep(accepted, drafts),
            MeanSpecDecodeEmittedTokensPerStep = FiniteMean.Of(samples, s => s.SpecDecodeEmittedTokensPerStep),
            EngineStepsPerSecond = steps.PerSecond,
            MeanSequencesPerStep = PerStep(stepSequences, steps),
            MeanScheduledTokensPerStep = PerStep(scheduled, steps),
            ComputedPromptTokensPerSecond = computed.PerSecond,
            PrefixCacheHitTokensPerSecond = cacheHits.PerSecond,
            MeanComputedPromptTokensPerStep = PerStep(computed, steps),
            MeanPrefillTokensLastStep = FiniteMean.Of(samples, s => s.PrefillTokensLastStep),
            SlotStepSeconds = slots.StepSeconds,
            SlotStepTokens = slots.Tokens > 0 ? slots.Tokens : null,
            MeanProcessingSlots = slots.MeanProcessing,
            MeanSlotContextTokens = slots.MeanContext,
            CounterResets = generation.Resets + prompt.Resets + preemptions.Resets + draft.Resets + accepted.Resets + itl.Resets + ttft.Resets + e2e.Resets
                + drafts.Resets + steps.Resets + stepSequences.Resets + scheduled.Resets + computed.Resets + cacheHits.Resets,
        };
    }

    /// <summary>
    /// One counter's increase per engine step (or per draft): null unless both moved over the window; a negative or
    /// non-finite ratio cannot come from consistent counters and is dropped.
    /// </summary>
    private static double? PerStep(CounterIncrease quantity, CounterIncrease steps) =>
        quantity.Pairs > 0 && steps.Pairs > 0 && steps.Increase > 0 && quantity.Increase / steps.Increase is var ratio && double.IsFinite(ratio) && ratio >= 0
            ? ratio
            : null;

    /// <summary>Delta of a histogram's sum and count; a count that goes down is a reset, and the new values count from zero.</summary>
    private struct HistogramIncrease
    {
        private HistogramSnapshot? _previous;

        public double Sum { get; private set; }

        public double Count { get; private set; }

        public int Resets { get; private set; }

        public int Pairs { get; private set; }

        public void Add(HistogramSnapshot? h, DateTimeOffset at)
        {
            _ = at;
            if (h is null || !double.IsFinite(h.Sum) || !double.IsFinite(h.Count))
            {
                _previous = null;
                return;
            }

            if (_previous is { } p)
            {
                if (h.Count >= p.Count && h.Sum >= p.Sum)
                {
                    Sum += h.Sum - p.Sum;
                    Count += h.Count - p.Count;
                }
                else
                {
                    Sum += h.Sum;
                    Count += h.Count;
                    Resets++;
                }

                Pairs++;
            }

            _previous = h;
        }

        public readonly double? Mean => Pairs > 0 && Count > 0 ? Sum / Count : null;
    }
}
