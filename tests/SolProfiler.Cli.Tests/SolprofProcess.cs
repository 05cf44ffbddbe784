using System.Diagnostics;

namespace SolProfiler.Cli.Tests;

/// <summary>
/// The real <c>solprof</c> as a child process (<c>dotnet solprof.dll</c> from the test's output folder), for what an
/// in-process run cannot show: signals, and the host's own log lines on the console.
/// </summary>
internal static class SolprofProcess
{
    public static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "solprof.dll"));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
    }

    /// <summary>Runs to the end (at most <paramref name="timeout"/>) and returns what it printed.</summary>
    public static async Task<CliRun> RunAsync(TimeSpan timeout, params string[] args)
    {
        using var process = Start(args);
        using var cts = new CancellationTokenSource(timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"solprof {string.Join(' ', args)} ran past {timeout}");
        }

        return new CliRun(process.ExitCode, await stdout, await stderr);
    }
}
