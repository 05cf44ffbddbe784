using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Serving.Scraping;

/// <summary>
/// From a parsed body to a <see cref="ServingScrape"/>: detection (or the forced server), the adapter's samples, and
/// the document's problems beside them (a problem is shown, and the valid samples stay usable). Shared by the HTTP
/// scraper and <c>solprof scrape --file</c>.
/// </summary>
public static class ExpositionReading
{
    public static ServingScrape ToScrape(ExpositionDocument document, string source, DateTimeOffset at, TimeSpan duration, ServerKind? forced)
    {
        ArgumentNullException.ThrowIfNull(document);
        var (kind, adapter, families) = ServerDetector.Detect(document, forced);
        var scrape = new ServingScrape
        {
            Source = source,
            Timestamp = at,
            Duration = duration,
            Server = kind,
            FamiliesSeen = families,
            ParseErrors = document.LineErrorCount,
            ParseErrorExamples = document.Errors.Take(5).Select(e => e.ToString()).ToArray(),
            Bytes = document.Bytes,
            DocumentProblems = document.Problems.Select(p => p.ToString()).ToArray(),
        };

        if (adapter is null)
        {
            var seen = families.Count == 0 ? "no metrics at all" : "families seen: " + string.Join(", ", families);
            return scrape with { FailureKind = FetchFailureKind.UnknownServer, FailureReason = $"server kind not recognised ({seen}); force one of {string.Join(", ", ServerKinds.KnownNames)}" };
        }

        var samples = adapter.Read(document, at);
        return samples.Count == 0
            ? scrape with { FailureKind = FetchFailureKind.NoMetrics, FailureReason = $"no {ServerKinds.Name(kind)} serving metrics in the body" }
            : scrape with { Samples = samples };
    }
}
