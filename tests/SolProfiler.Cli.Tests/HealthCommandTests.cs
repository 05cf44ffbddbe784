using System.Net;
using System.Net.Sockets;

namespace SolProfiler.Cli.Tests;

/// <summary>
/// <c>solprof health</c>, the image's health check (the chiseled runtime image has no curl): 0 for a live agent, 1
/// with one line for an agent that is down or answers an error, 2 for a bad URL; never a stack trace.
/// </summary>
public sealed class HealthCommandTests
{
    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    [Fact]
    public async Task A_running_agent_is_healthy_and_one_that_stopped_is_not()
    {
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}/healthz";
        using (var agent = SolprofProcess.Start("agent", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpu-backend", "none", "--urls", $"http://127.0.0.1:{port}"))
        {
            try
            {
                CliRun? run = null;
                for (var i = 0; i < 150 && run?.ExitCode != 0; i++)
                {
                    await Task.Delay(200);
                    run = await Cli.Run("health", url, "--timeout", "1s");
                }

                Assert.True(run!.ExitCode == 0, run.ToString());
                Assert.Equal($"healthy: HTTP 200 from {url}\n", run.Stdout.ReplaceLineEndings("\n"));
                Assert.Empty((await Cli.Run("health", url, "--quiet")).Stdout);
            }
            finally
            {
                agent.Kill(entireProcessTree: true);
                await agent.WaitForExitAsync();
            }
        }

        var down = await Cli.Run("health", url, "--timeout", "1s");
        Assert.Equal(1, down.ExitCode);
        Assert.StartsWith($"unhealthy: cannot reach {url}: ", down.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", down.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_error_status_is_unhealthy_with_the_status_named()
    {
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var answer = Task.Run(async () =>
        {
            var context = await listener.GetContextAsync();
            context.Response.StatusCode = 503;
            context.Response.Close();
        });

        var run = await Cli.Run("health", $"http://127.0.0.1:{port}/readyz");
        await answer;

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"unhealthy: HTTP 503 Service Unavailable from http://127.0.0.1:{port}/readyz\n", run.Stderr.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task A_server_that_does_not_answer_in_time_is_unhealthy()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(); // accepts connections (the backlog) and never answers
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;

        var run = await Cli.Run("health", $"http://127.0.0.1:{port}/healthz", "--timeout", "300ms");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"unhealthy: no answer from http://127.0.0.1:{port}/healthz within 0.3 s\n", run.Stderr.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://127.0.0.1/healthz")]
    [InlineData("/healthz")]
    public async Task A_url_that_is_not_http_is_a_user_error(string url)
    {
        var run = await Cli.Run("health", url);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: url '", run.Stderr, StringComparison.Ordinal);
    }
}
