using System.CommandLine;
using System.Net.Sockets;
using SolProfiler.Cli.Common;
using SolProfiler.Sol;

namespace SolProfiler.Cli.Health;

/// <summary>
/// <c>solprof health</c>: asks a running agent whether it is alive, for container health checks. The runtime image
/// (chiseled runtime-deps) has no shell, curl or wget, so the image's HEALTHCHECK and docker-compose's run the agent's
/// own executable: GET the URL, exit 0 on a 2xx answer, else print one line and exit 1. Kubernetes probes the same
/// endpoints with httpGet and needs none of this.
/// </summary>
public static class HealthCommand
{
    public const int ExitUnhealthy = 1;
    public const string DefaultUrl = "http://127.0.0.1:9464/healthz";

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var url = new Argument<string>("url") { Description = $"The agent's health URL (default {DefaultUrl}; /readyz also says whether its sources are up)", DefaultValueFactory = _ => DefaultUrl };
        var timeout = new Option<string>("--timeout") { Description = "Give up after this long", DefaultValueFactory = _ => "3s" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print nothing when healthy" };
        var command = new Command("health", "Ask a running agent whether it is alive (for container health checks): exit 0 when its URL answers 2xx, else 1")
        {
            url, timeout, quiet,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            var text = parse.GetValue(url)!;
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new SolInputException($"url '{text}' is not an absolute http(s) URL");
            }

            var limit = DurationParser.Parse(parse.GetValue(timeout)!, "--timeout");
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(limit);
            try
            {
                using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    await stderr.WriteLineAsync($"unhealthy: HTTP {(int)response.StatusCode} {response.ReasonPhrase} from {uri}").ConfigureAwait(false);
                    return ExitUnhealthy;
                }

                if (!parse.GetValue(quiet))
                {
                    await stdout.WriteLineAsync($"healthy: HTTP {(int)response.StatusCode} from {uri}").ConfigureAwait(false);
                }

                return CliApp.ExitOk;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await stderr.WriteLineAsync($"unhealthy: no answer from {uri} within {limit.TotalSeconds:0.###} s").ConfigureAwait(false);
                return ExitUnhealthy;
            }
            catch (HttpRequestException e)
            {
                var reason = e.InnerException is SocketException s ? s.Message : e.Message;
                await stderr.WriteLineAsync($"unhealthy: cannot reach {uri}: {reason}").ConfigureAwait(false);
                return ExitUnhealthy;
            }
        });
        return command;
    }
}
