using System.Net.Sockets;
using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Serving.Scraping;

/// <summary>A fetched and parsed exposition body, or the one-line reason it could not be had.</summary>
public readonly record struct FetchedExposition(ExpositionDocument? Document, string? FailureReason, FetchFailureKind FailureKind = FetchFailureKind.None);

/// <summary>
/// GETs a Prometheus/OpenMetrics endpoint and parses it, turning every failure (unreachable, timeout, HTTP error,
/// HTML, truncated or oversized body) into a one-line reason. Shared by the serving scraper and the dcgm-exporter
/// source; only the caller's own cancellation throws.
/// </summary>
public static class ExpositionFetcher
{
    private const int SniffBytes = 256;

    /// <param name="reuse">What the parses of this endpoint share (<see cref="ExpositionReuse"/>); null for a one-off fetch.</param>
    public static async Task<FetchedExposition> FetchAsync(HttpClient http, Uri url, TimeSpan timeout, ExpositionLimits limits, string? apiKey, ExpositionReuse? reuse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(limits);
        var source = DisplayUrl(url);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var request = Http.ServerRequests.Get(url, "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1", apiKey);

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return Fail(FetchFailureKind.HttpStatus, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase} from {source}");
            }

            if (response.Content.Headers.ContentLength is { } length && length > limits.MaxBytes)
            {
                return Fail(FetchFailureKind.TooLarge, $"body of {length} bytes exceeds the {limits.MaxBytes} byte limit");
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (mediaType is "text/html" or "application/xhtml+xml")
            {
                return Fail(FetchFailureKind.Html, $"{source} answered with HTML ({mediaType}), not Prometheus metrics: is this the /metrics URL?");
            }

            await using var body = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
            var sniff = new byte[SniffBytes];
            var sniffed = await FillAsync(body, sniff, deadline.Token).ConfigureAwait(false);
            if (LooksLikeHtml(sniff.AsSpan(0, sniffed)))
            {
                return Fail(FetchFailureKind.Html, $"{source} answered with HTML, not Prometheus metrics: is this the /metrics URL?");
            }

            await using var replay = new PrefixedStream(sniff, sniffed, body);
            var contentType = response.Content.Headers.ContentType?.ToString();
            var document = await (reuse is null
                ? ExpositionParser.ParseAsync(replay, limits, contentType, deadline.Token)
                : ExpositionParser.ParseAsync(replay, reuse, limits, contentType, deadline.Token)).ConfigureAwait(false);
            return new FetchedExposition(document, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Fail(FetchFailureKind.Timeout, $"no complete answer from {source} within {timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException s)
        {
            return Fail(FetchFailureKind.Connection, $"cannot connect to {source}: {s.Message}");
        }
        catch (HttpRequestException e) when (e.InnerException is IOException)
        {
            return Fail(FetchFailureKind.Truncated, $"truncated body from {source}: the connection closed before the response ended");
        }
        catch (HttpRequestException e)
        {
            return Fail(FetchFailureKind.Request, $"request to {source} failed: {e.Message}");
        }
        catch (IOException)
        {
            return Fail(FetchFailureKind.Truncated, $"truncated body from {source}: the connection closed before the response ended");
        }
        catch (ExpositionTooLargeException e)
        {
            return Fail(FetchFailureKind.TooLarge, e.Message);
        }
        catch (InvalidDataException e)
        {
            // Thrown by the decompressing stream: not an I/O fault, and not the parser's either.
            return Fail(FetchFailureKind.BadEncoding, $"body from {source} is not valid for its Content-Encoding: {e.Message}");
        }

        static FetchedExposition Fail(FetchFailureKind kind, string reason) => new(null, reason, kind);
    }

    /// <summary>A URL as it may be shown in messages: no user-info, no query (either could carry a token).</summary>
    public static string DisplayUrl(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return new UriBuilder(url) { UserName = "", Password = "", Query = "" }.Uri.ToString();
    }

    /// <summary>Reads and parses a saved body from a file, with the same one-line failure reasons as a fetch.</summary>
    public static async Task<FetchedExposition> ReadFileAsync(string path, ExpositionLimits? limits, CancellationToken cancellationToken)
    {
        try
        {
            await using var file = File.OpenRead(path);
            return new FetchedExposition(await ExpositionParser.ParseAsync(file, limits, contentType: null, cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new FetchedExposition(null, $"cannot read {path}: {e.Message}", FetchFailureKind.File);
        }
        catch (ExpositionTooLargeException e)
        {
            return new FetchedExposition(null, e.Message, FetchFailureKind.TooLarge);
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
