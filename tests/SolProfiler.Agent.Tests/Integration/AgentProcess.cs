using System.Diagnostics;
using System.Text.RegularExpressions;

namespace SolProfiler.Agent.Tests.Integration;

/// <summary>
/// The agent as a separate program: the executable named by <see cref="ExecutableVariable"/> (the Native AOT build,
/// <c>.ci/publish-aot</c>) run as <c>solprof agent</c> with its settings in <c>SOLPROF__</c> environment variables, as
/// a deployment would set them, listening on a port of 127.0.0.1 it picks itself. Its console lines go to the logs.
/// CI runs the fault suite this way (<c>Category=Fault&amp;Agent!=InProcess</c>) so that the binary users run keeps
/// every behaviour the in-process tests show.
/// </summary>
internal sealed partial class AgentProcess : IAsyncDisposable
{
    /// <summary>Where set, every <see cref="AgentUnderTest"/> is this executable in a process of its own.</summary>
    public const string ExecutableVariable = "SOLPROF_AGENT_UNDER_TEST";

    private readonly Process _process;

    private AgentProcess(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    /// <summary>
    /// The executable to run, or null to run the agent in the test's own process. The path must be absolute: the
    /// test runner's working folder is the test's output folder, not the one the variable was set in.
    /// </summary>
    public static string? Executable => Environment.GetEnvironmentVariable(ExecutableVariable) switch
    {
        null or "" => null,
        var path when !Path.IsPathFullyQualified(path) => throw new InvalidOperationException(
            $"{ExecutableVariable}={path}: give the executable's absolute path (the tests run in their output folder)"),
        var path when !File.Exists(path) => throw new InvalidOperationException($"{ExecutableVariable}={path}: no such file (run .ci/publish-aot first)"),
        var path => path,
    };

    public Uri BaseUrl { get; }

    public static async Task<AgentProcess> StartAsync(string executable, IReadOnlyDictionary<string, string?> settings, CapturedLogs logs, bool debugLogs)
    {
        var start = new ProcessStartInfo(executable, ["agent"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("SOLPROF__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in settings)
        {
            start.Environment["SOLPROF__" + key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        if (debugLogs)
        {
            start.Environment["Logging__LogLevel__Default"] = "Debug";
        }

        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            logs.Add(line);
            if (ListeningLine().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups["url"].Value.TrimEnd('/') + "/"));
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"{executable} agent exited with {process.ExitCode} before it listened"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var url = await listening.Task.WaitAsync(TimeSpan.FromSeconds(20));
            return new AgentProcess(process, url);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            await StopAsync(process);
            process.Dispose();
            throw new InvalidOperationException($"{e.Message}; its output:\n{logs.Text}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(_process);
        _process.Dispose();
    }

    private static async Task StopAsync(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
    }

    /// <summary>The line the agent prints once Kestrel listens: "solprof agent listening on http://127.0.0.1:PORT: / (status), ...".</summary>
    [GeneratedRegex(@"listening on (?<url>http://[^\s]+?):\s")]
    private static partial Regex ListeningLine();
}
