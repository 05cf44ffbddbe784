namespace SolProfiler.Telemetry.Serving.Scraping;

/// <summary>
/// Takes the API key out of everything a scrape brings back as text. A server (or a proxy in front of it) can echo
/// the Authorization header in a reason phrase, an error body or even a label value; what the agent logs, exports
/// or shows must never carry it.
/// </summary>
public static class KeyRedaction
{
    public const string Mark = "[redacted]";

    public static string Redact(string text, string? key) =>
        key is { Length: > 0 } && text.Contains(key, StringComparison.Ordinal) ? text.Replace(key, Mark, StringComparison.Ordinal) : text;

    public static ServingScrape Redact(ServingScrape scrape, string? key)
    {
        ArgumentNullException.ThrowIfNull(scrape);
        if (key is not { Length: > 0 })
        {
            return scrape;
        }

        bool Has(string? s) => s?.Contains(key, StringComparison.Ordinal) == true;
        if (!Has(scrape.FailureReason) && !scrape.ParseErrorExamples.Any(Has) && !scrape.DocumentProblems.Any(Has) && !scrape.FamiliesSeen.Any(Has)
            && !scrape.Samples.Any(s => Has(s.Engine) || Has(s.Model)))
        {
            return scrape; // the usual case: nothing to copy
        }

        return scrape with
        {
            FailureReason = scrape.FailureReason is { } reason ? Redact(reason, key) : null,
            ParseErrorExamples = scrape.ParseErrorExamples.Select(e => Redact(e, key)).ToArray(),
            DocumentProblems = scrape.DocumentProblems.Select(e => Redact(e, key)).ToArray(),
            FamiliesSeen = scrape.FamiliesSeen.Select(f => Redact(f, key)).ToArray(),
            Samples = scrape.Samples.Select(s => Has(s.Engine) || Has(s.Model) ? s with { Engine = Redact(s.Engine, key), Model = s.Model is { } m ? Redact(m, key) : null } : s).ToArray(),
        };
    }
}
