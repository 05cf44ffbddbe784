using System.CommandLine;
using SolProfiler.Cli.Sol;
using SolProfiler.Sol;

namespace SolProfiler.Cli;

/// <summary>The <c>solprof</c> command tree. User errors print one line and exit 2; nothing prints a stack trace for them.</summary>
public static class CliApp
{
    public const int ExitOk = 0;
    public const int ExitUserError = 2;

    public static RootCommand Build(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("SolProfiler: how far LLM decode runs from its speed of light, and why.");
        root.Subcommands.Add(SolCommand.Create(stdout, stderr));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = Build(stdout, stderr);
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        try
        {
            return await root.Parse(args).InvokeAsync(config).ConfigureAwait(false);
        }
        catch (SolInputException e)
        {
            await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return ExitUserError;
        }
    }
}
