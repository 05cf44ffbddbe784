using System.Text.Json;

namespace SolProfiler.Telemetry.Probe;

/// <summary>
/// What <c>GET /v1/models</c> said: the listed ids, or why there is no list. <see cref="Unreachable"/> is set when
/// the server itself could not be reached (refused, unresolvable, closed before answering, no answer in time): a
/// probe or sweep then stops at once rather than timing out a whole level of requests.
/// </summary>
public sealed record ServedModelList(IReadOnlyList<string>? Ids, ProbeFailureKind? Unreachable, string? Reason)
{
    public bool Reachable => Unreachable is null;
}

/// <summary>
/// The model ids an OpenAI-compatible server lists at <c>GET /v1/models</c>, so a client can say "model X is not
/// served here; it serves Y" before sending thousands of requests that all come back 404.
/// </summary>
public static class ServedModels
{
    private const int MaxBytes = 1 << 20;

    /// <summary>
    /// The listed ids, or null when the list cannot be had (endpoint down, no such route, not the OpenAI shape): the
    /// caller then goes on and lets the requests themselves report what is wrong.
    /// </summary>
    public static async Task<IReadOnlyList<string>?> FetchAsync(HttpClient http, ProbeOptions options, TimeSpan timeout, CancellationToken cancellationToken) =>
        (await ListAsync(http, options, timeout, cancellationToken).ConfigureAwait(false)).Ids;

    /// <summary>
    /// The list, or why there is none. A server that answers anything (404 for no such route, a body that is not the
    /// OpenAI shape) is reachable: only a failed connection, a connection closed before the headers, or silence
    /// sets <see cref="ServedModelList.Unreachable"/>. Never throws but for the caller's cancellation.
    /// </summary>
    public static async Task<ServedModelList> ListAsync(HttpClient http, ProbeOptions options, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var target = $"{options.Endpoint.Host}:{options.Endpoint.Port}";
        var key = ApiKeySource.Resolve(options);
        HttpResponseMessage response;
        try
        {
            using var request = Http.ServerRequests.Get(options.ModelsUri, null, key);

            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ServedModelList(null, ProbeFailureKind.Timeout, $"{target} did not answer GET {options.ModelsUri.AbsolutePath} within {timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException e)
        {
            var kind = ConnectionFailures.ClassifyBeforeHeaders(e);
            var why = kind == ProbeFailureKind.Connect
                ? $"cannot connect to {target}: {e.Message}"
                : $"{target} closed the connection before answering GET {options.ModelsUri.AbsolutePath}: {e.Message}";
            return new ServedModelList(null, kind, Serving.Scraping.KeyRedaction.Redact(why, key));
        }

        using (response)
        {
            try
            {
                if (!response.IsSuccessStatusCode || response.Content.Headers.ContentLength > MaxBytes)
                {
                    return new ServedModelList(null, null, $"GET {options.ModelsUri.AbsolutePath}: HTTP {(int)response.StatusCode}");
                }

                await using var body = await response.Content.ReadAsStreamAsync(limit.Token).ConfigureAwait(false);
                using var document = await JsonDocument.ParseAsync(body, default, limit.Token).ConfigureAwait(false);
                if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
                {
                    return new ServedModelList(null, null, $"GET {options.ModelsUri.AbsolutePath}: not an OpenAI model list");
                }

                var ids = data.EnumerateArray()
                    .Where(m => m.ValueKind == JsonValueKind.Object && m.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                    .Select(m => m.GetProperty("id").GetString()!)
                    .ToArray();
                return new ServedModelList(ids, null, null);
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or IOException or InvalidOperationException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // The server answered (headers came), so it is up; its list is just unusable.
                return new ServedModelList(null, null, $"GET {options.ModelsUri.AbsolutePath}: unreadable model list");
            }
        }
    }
}
