using SolProfiler.Sol;
using SolProfiler.Telemetry.Probe;

namespace SolProfiler.Cli.Common;

/// <summary>
/// The check <c>probe</c> and <c>sweep</c> make before their first request: <c>GET /v1/models</c>. A dead endpoint
/// ends the command at once with one line (<see cref="EndpointDownException"/>), instead of a level of timeouts; a
/// model the server does not list is a user error. A server without the route goes on: its requests will say.
/// </summary>
public static class EndpointCheck
{
    /// <summary>How long the server gets to answer the model list: generous, as a busy server answers it between steps.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static async Task CheckAsync(HttpClient http, ProbeOptions options, string modelOption, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var list = await ServedModels.ListAsync(http, options, Timeout, cancellationToken).ConfigureAwait(false);
        if (!list.Reachable)
        {
            throw new EndpointDownException($"endpoint {options.Endpoint} is down ({ProbeFailureKinds.Label(list.Unreachable!.Value)}): {list.Reason}");
        }

        if (list.Ids is { Count: > 0 } served && !served.Contains(options.Model, StringComparer.Ordinal))
        {
            throw new SolInputException($"{modelOption} '{options.Model}' is not served at {options.ModelsUri}; it serves: {string.Join(", ", served)}");
        }
    }
}

/// <summary>The endpoint could not be reached before any load was sent: the command prints this one line and exits 1.</summary>
public sealed class EndpointDownException(string message) : Exception(message)
{
    /// <summary>The exit code of a command that stopped because its endpoint is down.</summary>
    public const int ExitCode = 1;
}
