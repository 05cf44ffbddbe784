using System.CommandLine;
using System.Runtime.InteropServices;
using SolProfiler.Cli.Agent;
using SolProfiler.Cli.Common;
using SolProfiler.Cli.Gpus;
using SolProfiler.Cli.Probe;
using SolProfiler.Cli.Report;
using SolProfiler.Cli.Scrape;
using SolProfiler.Cli.Sol;
using SolProfiler.Cli.Sweep;
using SolProfiler.Sol;

namespace SolProfiler.Cli;

/// <summary>The <c>solprof</c> command tree. User errors print one line and exit 2; nothing prints a stack trace for them.</summary>
public static class CliApp
{
    public const int ExitOk = 0;
    public const int ExitUserError = 2;

    /// <summary>128 + SIGINT, what a shell reports for a program stopped by Ctrl-C.</summary>
    public const int ExitInterrupted = 130;

    public static RootCommand Build(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("SolProfiler: how far LLM decode runs from its speed of light, and why.");
        root.Subcommands.Add(SolCommand.Create(stdout, stderr));
        root.Subcommands.Add(ScrapeCommand.Create(stdout, stderr));
        root.Subcommands.Add(CheckMetrics.CheckMetricsCommand.Create(stdout, stderr));
        root.Subcommands.Add(ProbeCommand.Create(stdout, stderr));
        root.Subcommands.Add(GpusCommand.Create(stdout, stderr));
        root.Subcommands.Add(AgentCommand.Create(stdout, stderr));
        root.Subcommands.Add(SweepCommand.Create(stdout, stderr));
        root.Subcommands.Add(ReportCommand.Create(stdout, stderr));
        root.Subcommands.Add(Health.HealthCommand.Create(stdout, stderr));
        return root;
    }

    private static void Interrupt(PosixSignalContext context, CancellationTokenSource interrupted)
    {
        if (interrupted.IsCancellationRequested)
        {
            return; // the second signal: the default, which ends the process
        }

        context.Cancel = true;
        interrupted.Cancel();
    }

    private static bool IsHelpOrVersion(string[] args) => args.Any(a => a is "-h" or "--help" or "-?" or "--version");

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = Build(stdout, stderr);
        // The first Ctrl-C or SIGTERM cancels the command's token and the command decides how it ends (a --watch ends
        // with 0, the rest with 130); a second one ends the process at once. System.CommandLine's own handler raced the
        // command: whichever finished first set the exit code.
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        using var interrupted = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => Interrupt(c, interrupted));
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => Interrupt(c, interrupted));
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && !IsHelpOrVersion(args))
        {
            // System.CommandLine would print its help; a user error is one line naming what was wrong.
            // Every bad flag at once, so a second run does not find the next one.
            var message = string.Join("; ", parsed.Errors
                .Select(e => string.Join(" ", e.Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
                .Distinct(StringComparer.Ordinal));
            await stderr.WriteLineAsync($"error: {message} (see --help)").ConfigureAwait(false);
            return ExitUserError;
        }

        try
        {
            return await parsed.InvokeAsync(config, interrupted.Token).ConfigureAwait(false);
        }
        catch (SolInputException e)
        {
            await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return ExitUserError;
        }
        catch (EndpointDownException e)
        {
            await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return EndpointDownException.ExitCode;
        }
        catch (OperationCanceledException)
        {
            // Interrupted (Ctrl-C, SIGTERM) where the command has no better ending: the shell's code for SIGINT.
            await stderr.WriteLineAsync("interrupted").ConfigureAwait(false);
            return ExitInterrupted;
        }
    }
}
