using System.CommandLine;
using System.Net.Http.Headers;
using SolProfiler.Cli.Common;
using SolProfiler.Cli.Sol;
using SolProfiler.Sol;
using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Cli.CheckMetrics;

/// <summary>
/// <c>solprof check-metrics FILE|URL</c>, this project's <c>promtool check metrics</c>: every malformed line with its
/// number, the document problems, and the naming lint apart from them. Exit 0 without errors (warnings allowed), 1
/// with errors or when the body cannot be read, 2 on bad usage.
/// </summary>
public static class CheckMetricsCommand
{
    public const int ExitErrors = 1;

    /// <summary>What a scrape asks for: OpenMetrics first, the text format as fallback, as Prometheus does.</summary>
    private const string Accept = "application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var target = new Argument<string>("target") { Description = "A saved exposition body or an http(s) metrics URL" };
        var contentType = new Option<string?>("--content-type")
        {
            Description = "Force the format: a media type such as 'text/plain; version=0.0.4' or 'application/openmetrics-text; version=1.0.0' (default: from the response, else from the content)",
        };
        var timeout = new Option<string>("--timeout") { Description = "Give up on the URL after this long", DefaultValueFactory = _ => "5s" };
        var format = new Option<OutputFormat>("--format", "-f") { Description = "Output format (table or json)", DefaultValueFactory = _ => OutputFormat.Table, HelpName = "table|json" };
        var command = new Command("check-metrics", "Check a Prometheus or OpenMetrics exposition: malformed lines, document problems, naming lint")
        {
            target, contentType, timeout, format,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            var outputFormat = parse.GetValue(format);
            if (outputFormat == OutputFormat.Csv)
            {
                throw new SolInputException("check-metrics prints table or json");
            }

            var forced = parse.GetValue(contentType);
            ExpositionFormat? forcedFormat = null;
            if (forced is not null)
            {
                forcedFormat = !MediaTypeHeaderValue.TryParse(forced, out var media)
                    ? throw new SolInputException($"--content-type '{forced}' is not a media type")
                    : string.Equals(media.MediaType, "application/openmetrics-text", StringComparison.OrdinalIgnoreCase)
                        ? ExpositionFormat.OpenMetrics100
                        : string.Equals(media.MediaType, "text/plain", StringComparison.OrdinalIgnoreCase)
                            ? ExpositionFormat.PrometheusText004
                            : throw new SolInputException($"--content-type '{forced}': expected text/plain (Prometheus 0.0.4) or application/openmetrics-text (OpenMetrics 1.0)");
            }

            var perFetch = DurationParser.Parse(parse.GetValue(timeout)!, "--timeout");
            var (body, served, error) = await ReadAsync(parse.GetValue(target)!, perFetch, cancellationToken).ConfigureAwait(false);
            if (error is not null)
            {
                await stderr.WriteLineAsync($"error: {error}").ConfigureAwait(false);
                return ExitErrors;
            }

            MetricsCheckReport report;
            try
            {
                report = MetricsCheck.Run(body!, forced ?? served, forcedFormat);
            }
            catch (ExpositionTooLargeException e)
            {
                await stderr.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return ExitErrors;
            }

            if (outputFormat == OutputFormat.Json)
            {
                CheckMetricsWriters.WriteJson(stdout, report);
            }
            else
            {
                CheckMetricsWriters.WriteText(stdout, report);
            }

            return report.HasErrors ? ExitErrors : CliApp.ExitOk;
        });
        return command;
    }

    /// <summary>The body and the media type it was served with (null for a file); or why it could not be read.</summary>
    private static async Task<(string? Body, string? ContentType, string? Error)> ReadAsync(string target, TimeSpan timeout, CancellationToken ct)
    {
        if (!target.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !target.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(target))
            {
                throw new SolInputException($"file '{target}' does not exist (give a saved body or an http(s) URL)");
            }

            try
            {
                return (await File.ReadAllTextAsync(target, ct).ConfigureAwait(false), null, null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return (null, null, $"cannot read '{target}': {e.Message}");
            }
        }

        if (!Uri.TryCreate(target, UriKind.Absolute, out var uri))
        {
            throw new SolInputException($"'{target}' is not a URL");
        }

        using var http = SolProfiler.Telemetry.Http.ServerHttp.CreateClient();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.TryAddWithoutValidation("Accept", Accept);
            using var response = await http.SendAsync(request, cts.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return (null, null, $"{uri} answered HTTP {(int)response.StatusCode}");
            }

            var body = await response.Content.ReadAsStringAsync(cts.Token).ConfigureAwait(false);
            return (body, response.Content.Headers.ContentType?.ToString(), null);
        }
        catch (HttpRequestException e)
        {
            return (null, null, $"cannot fetch {uri}: {e.Message}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, null, $"{uri} did not answer within {timeout.TotalSeconds:0.#} s");
        }
    }
}
