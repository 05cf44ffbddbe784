using System.Net.Http.Headers;
using System.Text.Json;

namespace SolProfiler.Telemetry.Probe;

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
    public static async Task<IReadOnlyList<string>?> FetchAsync(HttpClient http, ProbeOptions options, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, options.ModelsUri);
            if (ApiKeySource.Resolve(options) is { } key)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode || response.Content.Headers.ContentLength > MaxBytes)
            {
                return null;
            }

            await using var body = await response.Content.ReadAsStreamAsync(limit.Token).ConfigureAwait(false);
            using var document = await JsonDocument.ParseAsync(body, default, limit.Token).ConfigureAwait(false);
            if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            return data.EnumerateArray()
                .Where(m => m.ValueKind == JsonValueKind.Object && m.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                .Select(m => m.GetProperty("id").GetString()!)
                .ToArray();
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }
}
