using System.Text.Json;
using System.Text.Json.Serialization;
using SolProfiler.Cli.Common;
using SolProfiler.Telemetry.Serving;
using SolProfiler.Analysis.Windows;
using SolProfiler.Telemetry.Serving.Scraping;

namespace SolProfiler.Cli.Scrape;

/// <summary>The JSON contract of <c>solprof scrape --format json</c>: one object per engine / rank, absent values omitted.</summary>
public static class ScrapeJsonWriter
{

    public static void Write(TextWriter output, ServingScrape scrape, IReadOnlyList<ServingRates>? rates)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(scrape);
        var records = scrape.Samples.Select(s => Record.From(s, scrape.ParseErrors, scrape.DocumentProblems, rates?.FirstOrDefault(r => r.Engine == s.Engine && r.Model == s.Model))).ToArray();
        output.WriteLine(JsonSerializer.Serialize(records, CliJson.Info<Record[]>(omitNulls: true)));
    }

    internal sealed record SumCount(double Sum, double Count)
    {
        public static SumCount? From(HistogramSnapshot? h) => h is null ? null : new SumCount(h.Sum, h.Count);
    }

    internal sealed record RatesRecord(
        double CoveredSeconds,
        int Samples,
        double? GenerationTokensPerSecond,
        double? PromptTokensPerSecond,
        double? MeanInterTokenLatencySeconds,
        double? MeanTimeToFirstTokenSeconds,
        double? MeanE2eLatencySeconds,
        double? MeanRunningRequests,
        double? MeanWaitingRequests,
        double? MeanKvCacheUsageRatio,
        double? PreemptionsPerSecond,
        double? SpecDecodeAcceptanceRatio,
        int CounterResets)
    {
        public static RatesRecord? From(ServingRates? r) => r is null ? null : new(
            r.Covered.TotalSeconds, r.Samples, r.GenerationTokensPerSecond, r.PromptTokensPerSecond, r.MeanInterTokenLatencySeconds,
            r.MeanTimeToFirstTokenSeconds, r.MeanE2eLatencySeconds, r.MeanRunningRequests, r.MeanWaitingRequests, r.MeanKvCacheUsageRatio,
            r.PreemptionsPerSecond, r.SpecDecodeAcceptanceRatio, r.CounterResets);
    }

    internal sealed record Record(
        string Server,
        string? VersionHint,
        string? Model,
        string Engine,
        double? RunningRequests,
        double? WaitingRequests,
        double? GenerationTokensTotal,
        double? PromptTokensTotal,
        SumCount? InterTokenLatency,
        string? InterTokenLatencySource,
        SumCount? TimeToFirstToken,
        SumCount? E2eLatency,
        double? KvCacheUsageRatio,
        double? KvCacheCapacityTokens,
        double? PreemptionsTotal,
        double? SpecDecodeDraftTokensTotal,
        double? SpecDecodeAcceptedTokensTotal,
        double? SpecDecodeDraftsTotal,
        double? SpecDecodeEmittedTokensPerStep,
        double? EngineStepsTotal,
        double? BatchSequencesTotal,
        double? ScheduledTokensTotal,
        double? PromptTokensComputedTotal,
        double? PrefixCacheHitTokensTotal,
        double? PrefillTokensLastStep,
        int ParseErrors,
        IReadOnlyList<string>? DocumentProblems,
        RatesRecord? Rates)
    {
        public static Record From(ServingSample s, int parseErrors, IReadOnlyList<string> problems, ServingRates? rates) => new(
            ServerKinds.Name(s.Server), s.VersionHint, s.Model, s.Engine, s.RunningRequests, s.WaitingRequests, s.GenerationTokensTotal,
            s.PromptTokensTotal, SumCount.From(s.InterTokenLatency), s.InterTokenLatencySource, SumCount.From(s.TimeToFirstToken),
            SumCount.From(s.E2eLatency), s.KvCacheUsageRatio, s.KvCacheCapacityTokens, s.PreemptionsTotal, s.SpecDecodeDraftTokensTotal,
            s.SpecDecodeAcceptedTokensTotal, s.SpecDecodeDraftsTotal, s.SpecDecodeEmittedTokensPerStep, s.EngineStepsTotal, s.BatchSequencesTotal,
            s.ScheduledTokensTotal, s.PromptTokensComputedTotal, s.PrefixCacheHitTokensTotal, s.PrefillTokensLastStep, parseErrors,
            problems.Count > 0 ? problems : null, RatesRecord.From(rates));
    }
}
