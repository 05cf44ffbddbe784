using System.Diagnostics;
using System.Globalization;

namespace SolProfiler.Cli.Tests;

/// <summary>
/// Ctrl-C and SIGTERM are how a watch ends: the real executable, a real signal, no stack trace. In process a signal
/// cannot be sent to the CLI alone, so these start <c>solprof.dll</c> as a child.
/// </summary>
public sealed class InterruptTests
{
    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task Gpus_watch_stopped_by_a_signal_exits_0_without_a_stack_trace(string signal)
    {
        using var process = SolprofProcess.Start("gpus", "--gpu-backend", "sim", "--watch", "200ms", "--format", "json");
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        // Wait for the first read, so the signal arrives in the watch loop and not during start-up.
        string? line;
        do
        {
            line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        }
        while (line is not null && !line.Contains("\"backend\"", StringComparison.Ordinal));

        Assert.NotNull(line);
        Send(signal, process.Id);
        var rest = process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        var errors = await stderr;
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{errors}");
        Assert.DoesNotContain("Unhandled", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", errors, StringComparison.Ordinal);
        _ = await rest;
    }

    private static void Send(string signal, int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-s", signal, pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("kill did not start");
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }
}
