using System.Net;
using System.Net.Http.Headers;

namespace SolProfiler.Telemetry.Http;

/// <summary>
/// Retries, once and on a fresh connection, a request that failed before any byte of its response arrived because
/// the connection was closed or reset under it.
/// <para>
/// Why: llama.cpp's <c>llama-server</c> (cpp-httplib) closes the connection after every streamed response without
/// sending <c>Connection: close</c>, and even advertises <c>Keep-Alive: timeout=5</c>. In a closed loop the client
/// returns the connection to the pool and rents it again microseconds later, before the server's FIN has arrived,
/// so the pool cannot see it is dead; the next request then fails at once with "response ended prematurely"
/// (about 20 % of requests at concurrency 4). A second attempt on a new connection always succeeds there.
/// </para>
/// <para>
/// Why not simply <c>Connection: close</c> on every request: servers that do keep connections alive (vLLM, SGLang,
/// TGI) would then pay a TCP (and TLS) handshake inside every request's TTFT. The retry costs nothing where
/// connections stay alive and well under a millisecond where they do not (the dead connection fails on the first read).
/// </para>
/// <para>
/// What is never retried: a request whose response headers arrived (its bytes may already be counted as load), a
/// timeout or cancellation (the server may be working on it), a refused or unresolvable connection (a fresh one fails
/// the same way), and a request whose body cannot be sent twice. An exception from <see cref="HttpMessageInvoker.SendAsync"/>
/// means the headers were not complete; the retry is limited to "ended" and "reset/aborted" (no response byte to
/// speak of), never to an invalid response, where the server did send something.
/// </para>
/// </summary>
public sealed class FreshConnectionRetryHandler : DelegatingHandler
{
    private readonly HttpMessageInvoker _fresh;
    private long _retries;
    private long _retriedFailures;

    /// <param name="pooled">The handler requests normally go through (keep-alive, pooled).</param>
    /// <param name="fresh">
    /// The handler for the retry: a separate pool, so the retry cannot be handed another stale connection of the
    /// first pool (at concurrency 4 several can be dead at once). <see cref="ServerHttp"/> gives it a zero connection
    /// lifetime, so it never keeps a connection and every retry opens a new one; the retry also says <c>Connection: close</c>.
    /// </param>
    public FreshConnectionRetryHandler(HttpMessageHandler pooled, HttpMessageHandler fresh)
        : base(pooled)
    {
        ArgumentNullException.ThrowIfNull(fresh);
        _fresh = new HttpMessageInvoker(fresh, disposeHandler: true);
    }

    /// <summary>Requests sent a second time on a fresh connection.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Of those, the ones whose second attempt failed too.</summary>
    public long RetriedFailures => Interlocked.Read(ref _retriedFailures);

    /// <summary>True when <paramref name="e"/> says the connection ended or was reset before the response headers (no response byte to count).</summary>
    public static bool IsClosedBeforeResponse(HttpRequestException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.HttpRequestError switch
        {
            HttpRequestError.ResponseEnded => true,

            // A reset or broken pipe while sending or waiting for the status line: SocketsHttpHandler reports it as
            // Unknown with the IOException inside. A failed connect is ConnectionError instead and is not retried.
            HttpRequestError.Unknown => HasIOException(e),
            _ => false,
        };
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (IsClosedBeforeResponse(e) && CanResend(request) && !cancellationToken.IsCancellationRequested)
        {
            using var again = Copy(request);
            Interlocked.Increment(ref _retries);
            try
            {
                return await _fresh.SendAsync(again, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref _retriedFailures);
                throw;
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _fresh.Dispose();
        }

        base.Dispose(disposing);
    }

    private static bool HasIOException(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is IOException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Only bodies held in memory can be sent again unchanged; a streamed body was consumed by the first attempt.</summary>
    private static bool CanResend(HttpRequestMessage request) =>
        request.Content is null or ByteArrayContent or ReadOnlyMemoryContent;

    private static HttpRequestMessage Copy(HttpRequestMessage request)
    {
        // The content object is shared: ByteArrayContent and ReadOnlyMemoryContent serialize the same bytes each
        // time, and the handler below HttpClient does not dispose request content.
        var copy = new HttpRequestMessage(request.Method, request.RequestUri)
        {
            Version = request.Version,
            VersionPolicy = request.VersionPolicy,
            Content = request.Content,
        };
        foreach (var header in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        copy.Headers.ConnectionClose = true;
        foreach (var option in request.Options)
        {
            ((IDictionary<string, object?>)copy.Options)[option.Key] = option.Value;
        }

        return copy;
    }
}

/// <summary>How <see cref="ServerHttp"/> sets up its connections.</summary>
public sealed record ServerHttpOptions
{
    /// <summary>Give up connecting after this long.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Most connections open to one server at once.</summary>
    public int MaxConnectionsPerServer { get; init; } = int.MaxValue;

    /// <summary>
    /// Close a pooled connection after it has been idle this long. Shorter than the 5 s keep-alive that llama.cpp and
    /// uvicorn (vLLM, SGLang) advertise, so an idle connection is dropped by us before the server drops it under us.
    /// </summary>
    public TimeSpan PooledConnectionIdleTimeout { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Reopen pooled connections after this long, so DNS changes are seen; infinite by default.</summary>
    public TimeSpan PooledConnectionLifetime { get; init; } = Timeout.InfiniteTimeSpan;

    public DecompressionMethods AutomaticDecompression { get; init; } = DecompressionMethods.None;
}

/// <summary>
/// The HttpClient every request to an inference server, metrics exporter or slot endpoint goes through: pooled
/// keep-alive connections, and a request that failed on a connection the server had closed retried once on a fresh
/// one (<see cref="FreshConnectionRetryHandler"/>). No client-wide timeout: each caller sets its own per request.
/// </summary>
public static class ServerHttp
{
    public static HttpClient CreateClient(ServerHttpOptions? options = null) =>
        new(CreateHandler(options), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };

    public static FreshConnectionRetryHandler CreateHandler(ServerHttpOptions? options = null)
    {
        var o = options ?? new ServerHttpOptions();
        // The retry pool has a zero lifetime: a connection is closed when its response ends, never handed out again.
        // (Connection: close on the retry alone was not enough: 1 retry in about 200 still met a stale connection.)
        return new FreshConnectionRetryHandler(Sockets(o, o.PooledConnectionLifetime), Sockets(o, TimeSpan.Zero));
    }

    private static SocketsHttpHandler Sockets(ServerHttpOptions o, TimeSpan lifetime) => new()
    {
        ConnectTimeout = o.ConnectTimeout,
        MaxConnectionsPerServer = o.MaxConnectionsPerServer,
        PooledConnectionIdleTimeout = o.PooledConnectionIdleTimeout,
        PooledConnectionLifetime = lifetime,
        AutomaticDecompression = o.AutomaticDecompression,
    };
}
