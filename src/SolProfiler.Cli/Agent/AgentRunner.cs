using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using SolProfiler.Agent.Configuration;
using SolProfiler.Agent.Hosting;

namespace SolProfiler.Cli.Agent;

/// <summary>Loads and validates the configuration, starts the agent (and the demo when asked), and runs it until interrupted.</summary>
public static class AgentRunner
{
    public const int ExitStartFailed = 1;

    public static async Task<int> RunAsync(string? configFile, IReadOnlyDictionary<string, string?> flags, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        AgentRuntime runtime;
        try
        {
            var (options, demoSettings) = AgentStartup.Load(configFile, flags);
            runtime = (await AgentStartup.CreateRuntimeAsync(options, demoSettings, cancellationToken).ConfigureAwait(false)).Runtime;
        }
        catch (AgentConfigurationException e)
        {
            await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return CliApp.ExitUserError;
        }
        catch (FileNotFoundException e)
        {
            // The demo's NVML stand-in is not built (solprof run outside the repository): the message says how to build it.
            await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return ExitStartFailed;
        }

        WebApplication app;
        try
        {
            app = AgentHost.Build(runtime);
        }
        catch (Exception)
        {
            await runtime.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await using (app.ConfigureAwait(false))
        {
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                await stderr.WriteLineAsync($"error: cannot listen on {runtime.Options.Urls}: {e.Message} (choose another with --urls)").ConfigureAwait(false);

                // The sampling services started before Kestrel failed to bind. Stopped, their cancellation is a stop;
                // only disposed, the host logs each one that had not yet run as a crashed service (crit, with a trace).
                using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await app.StopAsync(stopping.Token).ConfigureAwait(false);
                return ExitStartFailed;
            }

            await stdout.WriteLineAsync($"solprof agent listening on {string.Join(", ", app.Urls)}: / (status), /metrics, /api/v1/snapshot, /healthz, /readyz").ConfigureAwait(false);
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }

        return CliApp.ExitOk;
    }
}
