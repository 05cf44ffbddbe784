using System.Net.Http.Headers;

namespace SolProfiler.Telemetry.Http;

/// <summary>The GET every read of a server's side endpoints sends (metrics, slots, model list): one place for the bearer key.</summary>
public static class ServerRequests
{
    /// <param name="accept">The Accept header, or null for none.</param>
    /// <param name="apiKey">A bearer token, sent only when non-empty (never logged: callers redact it from their reasons).</param>
    public static HttpRequestMessage Get(Uri url, string? accept, string? apiKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        if (apiKey is { Length: > 0 } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }
}
