using System.Globalization;
using System.Text.Json;
using SolProfiler.Agent.Tests.Integration;
using SolProfiler.Telemetry.Probe;
using Xunit.Abstractions;

namespace SolProfiler.Agent.Tests.RealServers;

/// <summary>
/// The agent against a real inference server nobody on the project wrote: llama.cpp's llama-server on this CPU, with
/// a random-weight Llama made at test time and a GPU file that describes the CPU and its DRAM as the device. The
/// agent's numbers are compared with what its own client measured at the same time, as ratios within one run (the
/// server's speed drifts on a shared VM).
/// </summary>
[Collection(LlamaServerGroup.Name)]
public sealed class LlamaCppAgentTests(ITestOutputHelper output)
{
    private const int Concurrency = 4;

    private static Task<AgentUnderTest> StartAgentAsync(LlamaServerFixture server, string window = "6s") => AgentUnderTest.StartAsync(
        ("model", server.ConfigJson),
        ("gpuFile", LlamaServerFixture.CpuDeviceFile),
        ("gpu", LlamaServerFixture.CpuDeviceId),
        ("gpuSource:backend", "none"),
        ("serving:url", new Uri(server.BaseUrl, "metrics").ToString()),
        ("window", window),
        ("sampleInterval", "500ms"),
        ("serving:interval", "250ms"),
        ("serving:timeout", "2s"),
        ("gap:minTokenObservations", "20"));

    /// <summary>A closed loop of <see cref="Concurrency"/> streaming clients for about <paramref name="seconds"/>.</summary>
    private static async Task<ProbeRunSummary> LoadAsync(LlamaServerFixture server, double seconds, CancellationToken cancellationToken)
    {
        var options = new ProbeOptions
        {
            Endpoint = new Uri(server.BaseUrl, "v1"),
            Model = LlamaServerFixture.ModelAlias,
            MaxTokens = 192,
            MinTokens = 192,
            IgnoreEos = true,
            Prompt = "Once upon a time",
        };
        // The client `solprof probe` uses: a plain pooled HttpClient loses about one request in five to llama-server, which
        // closes the connection after each streamed response without saying so.
        using var http = Telemetry.Http.ServerHttp.CreateClient(new Telemetry.Http.ServerHttpOptions { MaxConnectionsPerServer = Concurrency + 2 });
        var probe = new StreamingProbe(http, options);
        // A request of 192 tokens takes about two seconds at concurrency 4 here; enough of them to cover the time asked.
        var requests = Math.Max(Concurrency * 2, (int)Math.Ceiling(seconds / 2) * Concurrency);
        return await new ProbeRunner(probe).RunAsync(requests, Concurrency, null, cancellationToken);
    }

    [LlamaServerFact]
    public async Task The_agent_measures_the_real_server_as_its_own_client_does()
    {
        // The server's step drifts by a third within seconds on a shared VM, so the agent and the client must look at
        // the same span: a window longer than the load (whatever the machine's speed), read as soon as the load ends, against the client's mean TPOT
        // (every request has the same length, so that mean weights tokens as the agent's step does).
        await using var server = await LlamaServerFixture.StartAsync();
        await using var agent = await StartAgentAsync(server, window: "120s"); // longer than the load even on a machine 10x slower

        var summary = await LoadAsync(server, seconds: 10, CancellationToken.None);
        var loadEnded = DateTimeOffset.UtcNow;
        var snapshot = await agent.WaitForSnapshotAsync(
            s => DateTimeOffset.Parse(s.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture) > loadEnded,
            "an analysis after the load", seconds: 10);
        var metrics = await agent.MetricsAsync();

        var point = snapshot.GetProperty("operatingPoint");
        var clientTpot = summary.Aggregate.Tpot!.Mean;
        output.WriteLine($"client: {summary.Aggregate.Succeeded}/{summary.Aggregate.Requests} requests, mean TPOT {clientTpot * 1e3:0.##} ms (median {summary.Aggregate.Tpot.P50 * 1e3:0.##}), {summary.Aggregate.OutputTokensPerSecond:0.#} tokens/s over {summary.Aggregate.WallSeconds:0.#} s");
        output.WriteLine("agent: " + point);
        Assert.True(snapshot.GetProperty("valid").GetBoolean(), snapshot.GetProperty("invalidReason").ToString());
        var gap = snapshot.GetProperty("gap");
        output.WriteLine("gap: " + gap);
        Assert.True(summary.Aggregate.Failed == 0, string.Join("; ", summary.Aggregate.Failures.Select(f => $"{f.Count} x {f.Reason}")));
        Assert.Equal("llamacpp", snapshot.GetProperty("configuration").GetProperty("server").GetString());

        // Step: the slots' progress, within 10 % of what the client saw between tokens.
        Assert.StartsWith("llamacpp:/slots", point.GetProperty("stepSource").GetString(), StringComparison.Ordinal);
        var step = point.GetProperty("measuredStepSeconds").GetDouble();
        Assert.InRange(step, clientTpot * 0.9, clientTpot * 1.1);

        // Batch: busy slots per decode call, within 15 % of the clients' concurrency.
        Assert.Equal("sequences-per-engine-step", point.GetProperty("batchSource").GetString());
        Assert.InRange(point.GetProperty("batch").GetDouble(), Concurrency * 0.85, Concurrency * 1.15);

        // Context from the slots (no KV capacity on llama.cpp's /metrics), prompt tokens per step from its counters.
        Assert.Equal("slots", point.GetProperty("contextSource").GetString());
        Assert.InRange(point.GetProperty("contextTokens").GetDouble(), 1, 4096);
        Assert.Equal("computed-prompt-tokens-per-engine-step", point.GetProperty("prefillSource").GetString());

        // Tokens per second: the server's counters against the client's, over the same requests.
        Assert.InRange(point.GetProperty("tokensPerSecond").GetDouble(), 1, 10_000);

        // The efficiency of a real server is a fraction: never above the SOL.
        var efficiency = gap.GetProperty("efficiency").GetDouble();
        Assert.InRange(efficiency, 1e-3, 1.0);
        Assert.Equal(efficiency, metrics.Samples("sol_efficiency_ratio").Single().Value, 1e-9);
    }

    [LlamaServerFact]
    public async Task A_killed_and_restarted_server_takes_the_serving_source_down_and_back()
    {
        var server = await LlamaServerFixture.StartAsync();
        try
        {
            await using var agent = await StartAgentAsync(server);
            await agent.WaitForSnapshotAsync(s => SourceUp(s), "the serving source up", seconds: 20);

            var port = server.Port;
            await server.DisposeAsync(); // killed, as a crash would
            var down = await agent.WaitForSnapshotAsync(s => !SourceUp(s), "the serving source down", seconds: 20);
            Assert.False(down.GetProperty("valid").GetBoolean());
            using (var ready = await agent.Http.GetAsync(new Uri("readyz", UriKind.Relative)))
            {
                Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            }

            server = await LlamaServerFixture.StartAsync(port: port);
            var load = LoadAsync(server, seconds: 10, CancellationToken.None);
            var back = await agent.WaitForSnapshotAsync(s => SourceUp(s) && s.GetProperty("valid").GetBoolean(), "a valid window after the restart", seconds: 40);
            var summary = await load;
            output.WriteLine("after restart: " + back.GetProperty("operatingPoint"));
            Assert.True(summary.Aggregate.Failed == 0, string.Join("; ", summary.Aggregate.Failures.Select(f => $"{f.Count} x {f.Reason}")));
            Assert.InRange(back.GetProperty("gap").GetProperty("efficiency").GetDouble(), 1e-3, 1.0);
        }
        finally
        {
            await server.DisposeAsync();
        }

        static bool SourceUp(JsonElement s) =>
            s.GetProperty("sources").EnumerateArray().Single(x => x.GetProperty("source").GetString() == "serving").GetProperty("up").GetBoolean();
    }
}

/// <summary>The real-server tests run one at a time: two llama-servers on two cores would measure each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LlamaServerGroup
{
    public const string Name = "real llama-server";
}
