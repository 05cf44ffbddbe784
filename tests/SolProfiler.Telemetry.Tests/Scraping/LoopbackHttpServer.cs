using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SolProfiler.Telemetry.Tests.Scraping;

/// <summary>
/// A raw HTTP/1.1 server on 127.0.0.1 with an ephemeral port, for tests that need full control of what goes on the
/// wire (truncated bodies, wrong content types, silence). Each connection gets the request path and writes its own bytes.
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<string, NetworkStream, CancellationToken, Task> _handler;
    private readonly Task _loop;

    public LoopbackHttpServer(Func<string, NetworkStream, CancellationToken, Task> handler)
    {
        _handler = handler;
        _listener.Start();
        _loop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri Url(string path = "/metrics") => new($"http://127.0.0.1:{Port}{path}");

    public int Requests { get; private set; }

    public string? LastAuthorization { get; private set; }

    /// <summary>A well-formed response with the given status, content type and body.</summary>
    public static async Task Respond(NetworkStream stream, int status, string contentType, string body, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = $"HTTP/1.1 {status} {(status == 200 ? "OK" : "Error")}\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), ct);
        await stream.WriteAsync(bytes, ct);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var path = await ReadRequestAsync(stream);
                Requests++;
                await _handler(path, stream, _stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // the client went away or the test ended: nothing to do
            }
        }
    }

    private async Task<string> ReadRequestAsync(NetworkStream stream)
    {
        var buffer = new byte[8192];
        var text = new StringBuilder();
        while (!text.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer, _stop.Token);
            if (n == 0)
            {
                break;
            }

            text.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }

        var lines = text.ToString().Split("\r\n");
        LastAuthorization = lines.FirstOrDefault(l => l.StartsWith("Authorization:", StringComparison.OrdinalIgnoreCase))?["Authorization:".Length..].Trim();
        var requestLine = lines[0].Split(' ');
        return requestLine.Length > 1 ? requestLine[1] : "/";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
