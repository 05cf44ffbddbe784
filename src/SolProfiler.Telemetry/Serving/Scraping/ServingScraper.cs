using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Sockets;
using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Serving.Scraping;

/// <summary>
/// Scrapes an inference server's Prometheus endpoint into a <see cref="ServingScrape"/>. Every failure (unreachable,
/// timeout, HTTP error, HTML, truncated or oversized body, duplicate series, histogram without +Inf, unknown server)
/// comes back as a failed scrape with a one-line reason; only the caller's own cancellation throws.
/// </summary>
public sealed class ServingScraper(HttpClient http, TimeProvider? timeProvider = null)
{
    private const int SniffBytes = 256;
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public async Task<ServingScrape> ScrapeAsync(ScrapeOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var source = options.DisplayUrl;
        var at = _time.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, options.Url);
            request.Headers.Accept.ParseAdd("application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1");
            if (options.ApiKey is { Length: > 0 } key)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return Fail($"HTTP {(int)response.StatusCode} {response.ReasonPhrase} from {source}");
            }

            if (response.Content.Headers.ContentLength is { } length && length > options.Limits.MaxBytes)
            {
                return Fail($"body of {length} bytes exceeds the {options.Limits.MaxBytes} byte limit");
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (mediaType is "text/html" or "application/xhtml+xml")
            {
                return Fail($"{source} answered with HTML ({mediaType}), not Prometheus metrics: is this the /metrics URL?");
            }

            await using var body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            var sniff = new byte[SniffBytes];
            var sniffed = await FillAsync(body, sniff, timeout.Token).ConfigureAwait(false);
            if (LooksLikeHtml(sniff.AsSpan(0, sniffed)))
            {
                return Fail($"{source} answered with HTML, not Prometheus metrics: is this the /metrics URL?");
            }

            await using var replay = new PrefixedStream(sniff, sniffed, body);
            var contentType = response.Content.Headers.ContentType?.ToString();
            var document = await ExpositionParser.ParseAsync(replay, options.Limits, contentType, timeout.Token).ConfigureAwait(false);
            return ExpositionReading.ToScrape(document, source, at, Stopwatch.GetElapsedTime(started), options.ForcedServer);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Fail($"no complete answer from {source} within {options.Timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException s)
        {
            return Fail($"cannot connect to {source}: {s.Message}");
        }
        catch (HttpRequestException e) when (e.InnerException is IOException)
        {
            return Fail($"truncated body from {source}: the connection closed before the response ended");
        }
        catch (HttpRequestException e)
        {
            return Fail($"request to {source} failed: {e.Message}");
        }
        catch (IOException)
        {
            return Fail($"truncated body from {source}: the connection closed before the response ended");
        }
        catch (ExpositionTooLargeException e)
        {
            return Fail(e.Message);
        }

        ServingScrape Fail(string reason) => ServingScrape.Failure(source, at, Stopwatch.GetElapsedTime(started), reason);
    }

    /// <summary>Reads the body of a local file (for <c>solprof scrape --file</c> and tests) the same way.</summary>
    public static async Task<ServingScrape> ReadFileAsync(string path, ServerKind? forced, ExpositionLimits? limits, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var file = File.OpenRead(path);
            var document = await ExpositionParser.ParseAsync(file, limits, contentType: null, cancellationToken).ConfigureAwait(false);
            return ExpositionReading.ToScrape(document, path, at, Stopwatch.GetElapsedTime(started), forced);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ServingScrape.Failure(path, at, Stopwatch.GetElapsedTime(started), $"cannot read {path}: {e.Message}");
        }
        catch (ExpositionTooLargeException e)
        {
            return ServingScrape.Failure(path, at, Stopwatch.GetElapsedTime(started), e.Message);
        }
    }

    private static async Task<int> FillAsync(Stream stream, byte[] buffer, CancellationToken ct)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(total), ct).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    private static bool LooksLikeHtml(ReadOnlySpan<byte> head)
    {
        var trimmed = head.TrimStart(" \t\r\n"u8);
        if (trimmed.Length > 3 && trimmed[0] == 0xEF && trimmed[1] == 0xBB && trimmed[2] == 0xBF)
        {
            trimmed = trimmed[3..];
        }

        return trimmed.Length > 0 && trimmed[0] == (byte)'<';
    }
}
