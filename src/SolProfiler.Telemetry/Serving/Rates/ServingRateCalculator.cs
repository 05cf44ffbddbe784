using SolProfiler.Telemetry.Statistics;

namespace SolProfiler.Telemetry.Serving.Rates;

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
        HistogramIncrease itl = default, ttft = default, e2e = default;
        foreach (var s in samples)
        {
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
            CounterResets = generation.Resets + prompt.Resets + preemptions.Resets + draft.Resets + accepted.Resets + itl.Resets + ttft.Resets + e2e.Resets,
        };
    }

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
