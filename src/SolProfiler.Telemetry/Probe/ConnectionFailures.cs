using System.Net.Sockets;

namespace SolProfiler.Telemetry.Probe;

/// <summary>
/// A request that got no response headers: whether it failed getting a connection at all or on the connection, and
/// the one-line reason that names the endpoint and the socket error. Shared by the probe and the model listing.
/// </summary>
internal static class ConnectionFailures
{
    /// <summary>Where a request that got no headers failed: getting a connection at all, or on the connection before the headers.</summary>
    public static ProbeFailureKind ClassifyBeforeHeaders(HttpRequestException e) => e.HttpRequestError switch
    {
        HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError
            or HttpRequestError.ProxyTunnelError => ProbeFailureKind.Connect,

        // A socket error with no HttpRequestError (older paths): refused/unreachable are connect failures, a reset is not.
        HttpRequestError.Unknown when SocketCode(e) is SocketError.ConnectionRefused or SocketError.HostNotFound
            or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.TimedOut => ProbeFailureKind.Connect,
        _ => ProbeFailureKind.BeforeHeaders,
    };

    private static SocketError? SocketCode(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.SocketErrorCode;
            }
        }

        return null;
    }

    public static string ConnectionReason(Uri endpoint, HttpRequestException e)
    {
        var target = $"{endpoint.Host}:{endpoint.Port}";
        var connect = ClassifyBeforeHeaders(e) == ProbeFailureKind.Connect;
        if (SocketCode(e) is { } code)
        {
            return code switch
            {
                SocketError.ConnectionRefused => $"connection refused by {target}",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => $"cannot resolve host {endpoint.Host}",
                SocketError.TimedOut => $"connection to {target} timed out",
                SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown when !connect
                    => $"connection to {target} reset before the response headers",
                _ => connect ? $"cannot connect to {target}: {code}" : $"connection to {target} failed before the response headers: {code}",
            };
        }

        return e.HttpRequestError switch
        {
            HttpRequestError.ResponseEnded => $"connection to {target} closed before the response headers",
            HttpRequestError.InvalidResponse => $"invalid response from {target} before the headers: {ReasonText.Message(e)}",
            HttpRequestError.NameResolutionError => $"cannot resolve host {endpoint.Host}",
            HttpRequestError.SecureConnectionError => $"TLS handshake with {target} failed: {ReasonText.Message(e)}",
            _ => $"request to {target} failed: {ReasonText.Message(e)}",
        };
    }
}
