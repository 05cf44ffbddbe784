using System.CommandLine;
using SolProfiler.Cli.Common;
using SolProfiler.Cli.Options;
using SolProfiler.Cli.Sol;
using SolProfiler.Sol;
using SolProfiler.Telemetry.Serving;
using SolProfiler.Analysis.Windows;
using SolProfiler.Telemetry.Serving.Scraping;

namespace SolProfiler.Cli.Scrape;

/// <summary>
/// <c>solprof scrape</c>: reads an inference server's /metrics (or a saved body) once, or over a window, and prints the
/// detected server with its normalised sample and, with a window, the rates. A failed scrape prints its one-line
/// reason and exits 1; bad arguments exit 2.
/// </summary>
public static class ScrapeCommand
{
    public const int ExitScrapeFailed = 1;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var url = new Argument<string?>("url") { Description = "Metrics URL, e.g. http://127.0.0.1:8000/metrics", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<string?>("--file") { Description = "Read a saved exposition body instead of a URL" };
        var server = ServerKindOption.Create();
        var window = new Option<string?>("--window") { Description = "Scrape repeatedly for this long and print rates, e.g. 10s" };
        var interval = new Option<string>("--interval") { Description = "Time between scrapes within a window", DefaultValueFactory = _ => "1s" };
        var timeout = new Option<string>("--timeout") { Description = "Give up on one scrape after this long", DefaultValueFactory = _ => "2s" };
        var apiKeyEnv = new Option<string?>("--api-key-env") { Description = "Environment variable holding a bearer token for the endpoint" };
        var apiKeyFile = new Option<string?>("--api-key-file") { Description = "File holding a bearer token for the endpoint" };
        var format = new Option<OutputFormat>("--format", "-f") { Description = "Output format (table or json)", DefaultValueFactory = _ => OutputFormat.Table, HelpName = "table|json" };

        var command = new Command("scrape", "Read an inference server's metrics and print the normalised serving sample")
        {
            url, file, server, window, interval, timeout, apiKeyEnv, apiKeyFile, format,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            var urlText = parse.GetValue(url);
            var path = parse.GetValue(file);
            if ((urlText is null) == (path is null))
            {
                throw new SolInputException("give either a metrics URL or --file PATH");
            }

            var forced = parse.GetValue(server);

            var outputFormat = parse.GetValue(format);
            if (outputFormat == OutputFormat.Csv)
            {
                throw new SolInputException("scrape prints table or json");
            }

            var windowLength = parse.GetValue(window) is { } w ? DurationParser.Parse(w, "--window") : (TimeSpan?)null;
            var step = DurationParser.Parse(parse.GetValue(interval)!, "--interval");
            var perScrape = DurationParser.Parse(parse.GetValue(timeout)!, "--timeout");
            var apiKey = SecretSource.Read(parse.GetValue(apiKeyEnv), parse.GetValue(apiKeyFile));
            Func<CancellationToken, Task<ServingScrape>> scrapeOnce;
            HttpClient? http = null;
            if (path is not null)
            {
                if (!File.Exists(path))
                {
                    throw new SolInputException($"file '{path}' does not exist");
                }

                scrapeOnce = ct => ServingScraper.ReadFileAsync(path, forced, null, DateTimeOffset.UtcNow, ct);
            }
            else
            {
                if (!Uri.TryCreate(urlText, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    throw new SolInputException($"'{urlText}' is not an http(s) URL");
                }

                http = SolProfiler.Telemetry.Http.ServerHttp.CreateClient(); // a scrape on a connection the server closed is retried once on a fresh one
                var scraper = new ServingScraper(http);
                var options = new ScrapeOptions { Url = uri, Timeout = perScrape, ForcedServer = forced, ApiKey = apiKey };
                scrapeOnce = ct => scraper.ScrapeAsync(options, ct);
            }

            using (http)
            {
                var (last, rates) = windowLength is { } length
                    ? await ScrapeWindowAsync(scrapeOnce, length, step, stderr, cancellationToken).ConfigureAwait(false)
                    : (await scrapeOnce(cancellationToken).ConfigureAwait(false), null);
                if (last.Failed)
                {
                    await stderr.WriteLineAsync($"error: {last.FailureReason}").ConfigureAwait(false);
                    return ExitScrapeFailed;
                }

                if (outputFormat == OutputFormat.Json)
                {
                    ScrapeJsonWriter.Write(stdout, last, rates);
                }
                else
                {
                    ScrapeTableRenderer.Render(stdout, last, rates);
                }

                return CliApp.ExitOk;
            }
        });
        return command;
    }

    /// <summary>Scrapes every <paramref name="step"/> for <paramref name="length"/>; the last good scrape and the window's rates.</summary>
    private static async Task<(ServingScrape Last, IReadOnlyList<ServingRates>? Rates)> ScrapeWindowAsync(
        Func<CancellationToken, Task<ServingScrape>> scrapeOnce, TimeSpan length, TimeSpan step, TextWriter stderr, CancellationToken ct)
    {
        var window = new ServingWindow(length + step);
        ServingScrape? lastGood = null;
        ServingScrape last;
        DateTimeOffset? end = null; // counted from the first scrape, so connection set-up does not eat the window
        using var timer = new PeriodicTimer(step);
        var failures = 0;
        do
        {
            last = await scrapeOnce(ct).ConfigureAwait(false);
            end ??= DateTimeOffset.UtcNow + length;
            if (last.Failed)
            {
                failures++;
                await stderr.WriteLineAsync($"scrape failed: {last.FailureReason}").ConfigureAwait(false);
            }
            else
            {
                lastGood = last;
                window.Add(last.Samples);
            }
        }
        while (DateTimeOffset.UtcNow < end && await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));

        if (lastGood is null)
        {
            return (last, null);
        }

        if (failures > 0)
        {
            await stderr.WriteLineAsync($"{failures} scrape(s) of the window failed; rates use the others").ConfigureAwait(false);
        }

        return (lastGood, window.Rates(lastGood.Timestamp));
    }
}
