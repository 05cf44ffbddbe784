using System.Net;
using System.Net.Sockets;

namespace SolProfiler.Testing;

/// <summary>Ports on 127.0.0.1 for the tests' real servers and dead endpoints.</summary>
public static class Loopback
{
    /// <summary>
    /// A port nothing listens on right now: the kernel's pick for a listener that is then closed. Another process may
    /// take it before the caller binds, so a server that can bind port 0 itself should do that instead.
    /// </summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
