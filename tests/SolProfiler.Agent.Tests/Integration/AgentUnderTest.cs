using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using SolProfiler.Agent.Hosting;
using SolProfiler.Cli.Agent;
using SolProfiler.Demo;
using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Agent.Tests.Integration;

/// <summary>
/// The real agent (configuration, runtime, Kestrel host, loops) listening on a free port of 127.0.0.1, with fast
/// settings: 200 ms samples over a 2 s window. In this process by default; with <see cref="AgentProcess.ExecutableVariable"/>
/// set, the executable it names (the Native AOT build) in a process of its own, seen only through HTTP and its console
/// (tests that reach into the runtime, the demo or a stand-in's back door carry <c>[Trait("Agent", "InProcess")]</c>).
/// </summary>
internal sealed class AgentUnderTest : IAsyncDisposable
{
    /// <summary>The trait of the tests that need the agent in the test's process.</summary>
    public const string InProcess = "InProcess";

    private readonly WebApplication? _app;

    private readonly AgentProcess? _process;

    private readonly ILoggerFactory? _demoLoggers;

    private readonly AgentRuntime? _runtime;

    private AgentUnderTest(Uri baseUrl, CapturedLogs logs, WebApplication? app, AgentRuntime? runtime, DemoEnvironment? demo, ILoggerFactory? demoLoggers, AgentProcess? process)
    {
        _app = app;
        _process = process;
        Logs = logs;
        _demoLoggers = demoLoggers;
        _runtime = runtime;
        Demo = demo;
        BaseUrl = baseUrl;
        Http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>The agent's runtime; only an agent in this process has one to look into.</summary>
    public AgentRuntime Runtime => _runtime ?? throw new InvalidOperationException(
        $"the agent runs in its own process ({AgentProcess.ExecutableVariable}): a test that looks into its runtime needs [Trait(\"Agent\", \"{InProcess}\")]");

    /// <summary>What the agent (and the demo's server) logged, Warning and up (Debug and up with a provider given); its console when it runs in its own process.</summary>
    public CapturedLogs Logs { get; }

    /// <summary>The simulated deployment in demo mode (its truth), else null.</summary>
    public DemoEnvironment? Demo { get; }

    public Uri BaseUrl { get; }

    public HttpClient Http { get; }

    public static Task<AgentUnderTest> StartAsync(params (string Key, string Value)[] settings) => StartAsync(null, settings);

    /// <summary>As <see cref="StartAsync(ValueTuple{string, string}[])"/>, with every log line (Debug and up) also going to <paramref name="logs"/>.</summary>
    public static async Task<AgentUnderTest> StartAsync(CapturedLogs? logs, params (string Key, string Value)[] settings)
    {
        var flags = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["urls"] = "http://127.0.0.1:0",
            ["window"] = "2s",
            ["sampleInterval"] = "200ms",
            ["serving:interval"] = "200ms",
            ["serving:timeout"] = "500ms",
            ["gap:minTokenObservations"] = "1",
        };
        foreach (var (key, value) in settings)
        {
            flags[key] = value;
        }

        if (AgentProcess.Executable is { } executable)
        {
            var console = logs ?? new CapturedLogs();
            var process = await AgentProcess.StartAsync(executable, flags, console, debugLogs: logs is not null);
            return new AgentUnderTest(process.BaseUrl, console, null, null, null, null, process);
        }

        var (options, demoSettings) = AgentStartup.Load(null, flags, new Dictionary<string, string?>());
        // The agent's log goes to memory, not the test run's console; failures below show it.
        var captured = new CapturedLogs();
        var demoLoggers = LoggerFactory.Create(b => b.AddProvider(captured).SetMinimumLevel(LogLevel.Warning));
        var (runtime, demo) = await AgentStartup.CreateRuntimeAsync(options, demoSettings, CancellationToken.None, demoLoggers);
        var app = AgentHost.Build(runtime, logging =>
        {
            logging.ClearProviders();
            logging.SetMinimumLevel(logs is null ? LogLevel.Warning : LogLevel.Debug);
            logging.AddProvider(captured);
            if (logs is not null)
            {
                logging.AddProvider(logs);
            }
        });
        await app.StartAsync();
        return new AgentUnderTest(new Uri(app.Urls.First().TrimEnd('/') + "/"), captured, app, runtime, demo, demoLoggers, null);
    }

    public async Task<ExpositionDocument> MetricsAsync()
    {
        using var response = await Http.GetAsync(new Uri("metrics", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var body = await response.Content.ReadAsStringAsync();
        var document = ExpositionParser.Parse(body);
        Assert.True(document.LineErrorCount == 0 && document.Problems.Count == 0, "the agent's /metrics does not parse:\n" + body);
        return document;
    }

    public async Task<JsonElement> SnapshotAsync() =>
        await Http.GetFromJsonAsync<JsonElement>(new Uri("api/v1/snapshot", UriKind.Relative));

    /// <summary>Polls until <paramref name="condition"/> holds for a snapshot, or fails with the last one seen.</summary>
    public async Task<JsonElement> WaitForSnapshotAsync(Func<JsonElement, bool> condition, string what, double seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await Http.GetAsync(new Uri("api/v1/snapshot", UriKind.Relative));
            if (response.IsSuccessStatusCode)
            {
                last = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (condition(last))
                {
                    return last;
                }
            }

            await Task.Delay(100);
        }

        Assert.Fail($"timed out waiting for {what}; last snapshot: {last}\nagent log:\n{Logs.Text}");
        return last;
    }

    /// <summary>Polls /metrics until <paramref name="condition"/> holds.</summary>
    public async Task<ExpositionDocument> WaitForMetricsAsync(Func<ExpositionDocument, bool> condition, string what, double seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        ExpositionDocument? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await MetricsAsync();
            if (condition(last))
            {
                return last;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"timed out waiting for {what}; families: {string.Join(", ", last?.Families.Keys ?? [])}\nagent log:\n{Logs.Text}");
        return last!;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_process is not null)
        {
            await _process.DisposeAsync();
            return;
        }

        await _app!.StopAsync();
        await _app.DisposeAsync();
        _demoLoggers?.Dispose(); // after the runtime (and the demo's server) is gone
    }
}
