using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace SolProfiler.Agent.Tests.Integration;

/// <summary>
/// Configuration from the server, end to end: the real agent against the demo's simulated vLLM and a scripted vLLM
/// endpoint, with the NVML stand-in (8 GPUs) as the GPU source. What the server tells fills what was left unset; an
/// id that names no model leaves the operating point measured, the SOL absent and a warning naming the id and the flag.
/// </summary>
[Collection(NativeStandInGroup.Name)]
public sealed class ServerConfigurationTests
{
    private const string ModelFlag = "--model ID|path/to/config.json";

    private static bool Absent(JsonElement snapshot, string name) =>
        !snapshot.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null;

    private static IEnumerable<string> Warnings(JsonElement snapshot) =>
        snapshot.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!);

    /// <summary>The scripted server with TP and KV left to the sources (no --tp, no --kv).</summary>
    private static Task<AgentUnderTest> StartAsync(ScriptedVllmServer server, CapturedLogs? logs, params (string, string)[] more)
    {
        NvmlStandIn.Reset();
        return AgentUnderTest.StartAsync(
            logs,
            [("weights", "fp8"), ("activations", "fp8"), ("gpuSource:backend", "sim"), ("gpuSource:library", NvmlStandIn.LibraryPath),
             ("serving:url", server.MetricsUrl.ToString()), .. more]);
    }

    [Fact]
    public async Task Model_auto_against_the_demo_resolves_the_served_model_and_sets_up_the_sol()
    {
        var logs = new CapturedLogs();
        await using var agent = await AgentUnderTest.StartAsync(
            logs,
            ("demo", "true"), ("model", "auto"), ("window", "3s"), ("demoSettings:fixedBatch", "32"),
            ("demoSettings:nvmlLibraryPath", NvmlStandIn.LibraryPath));

        var snapshot = await agent.WaitForSnapshotAsync(s => s.GetProperty("valid").GetBoolean(), "a valid window with model auto", seconds: 30);

        var configuration = snapshot.GetProperty("configuration");
        Assert.Equal(agent.Demo!.ModelName, configuration.GetProperty("model").GetString());
        Assert.Equal("llama-3.1-70b", configuration.GetProperty("model").GetString());
        Assert.Equal("fp8", configuration.GetProperty("kv").GetString());
        Assert.False(Absent(snapshot, "sol"));
        Assert.InRange(snapshot.GetProperty("gap").GetProperty("efficiency").GetDouble(), 0.01, 1);
        Assert.DoesNotContain(Warnings(snapshot), w => w.Contains("server", StringComparison.Ordinal));
        Assert.Single(logs.Lines, l => l.Contains("Model from the server: 'llama-3.1-70b' is catalog model llama-3.1-70b (by catalog id)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unresolvable_served_id_leaves_the_operating_point_and_says_the_id_and_the_flag_once()
    {
        var logs = new CapturedLogs();
        await using var server = await ScriptedVllmServer.StartAsync();
        server.ModelName = "tiny-llama";
        await using var agent = await StartAsync(server, logs, ("model", "auto"), ("kv", "fp8"));

        var snapshot = await agent.WaitForSnapshotAsync(
            s => s.GetProperty("operatingPoint").TryGetProperty("measuredStepSeconds", out var step) && step.ValueKind == JsonValueKind.Number
                && Warnings(s).Any(w => w.Contains("'tiny-llama'", StringComparison.Ordinal)),
            "a measured window with the unresolved model");

        var point = snapshot.GetProperty("operatingPoint");
        Assert.Equal(server.StepSeconds, point.GetProperty("measuredStepSeconds").GetDouble(), 1e-3);
        Assert.Equal(server.Running, point.GetProperty("batch").GetDouble(), 0.5);
        Assert.True(point.GetProperty("tokensPerSecond").GetDouble() > 0);
        Assert.True(Absent(snapshot, "sol"));
        Assert.True(Absent(snapshot, "gap"));
        Assert.Empty(snapshot.GetProperty("frontier").EnumerateArray());
        Assert.Equal("auto", snapshot.GetProperty("configuration").GetProperty("model").GetString());
        var warning = Assert.Single(Warnings(snapshot), w => w.Contains("'tiny-llama'", StringComparison.Ordinal));
        Assert.Contains(ModelFlag, warning, StringComparison.Ordinal);
        Assert.Contains("'tiny-llama'", snapshot.GetProperty("invalidReason").GetString(), StringComparison.Ordinal);

        await Task.Delay(TimeSpan.FromSeconds(1)); // more ticks: still one log line
        var lines = logs.Lines.Where(l => l.Contains("Model not known", StringComparison.Ordinal)).ToArray();
        var line = Assert.Single(lines);
        Assert.StartsWith("Warning", line, StringComparison.Ordinal);
        Assert.Contains("'tiny-llama'", line, StringComparison.Ordinal);
        Assert.Contains(ModelFlag, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_model_label_model_auto_asks_v1_models()
    {
        await using var server = await ScriptedVllmServer.StartAsync();
        server.ModelLabel = false;
        server.ModelName = "meta-llama/Llama-3.1-70B-Instruct";
        await using var agent = await StartAsync(server, null, ("model", "auto"), ("kv", "fp8"));

        var snapshot = await agent.WaitForSnapshotAsync(s => !Absent(s, "sol"), "the SOL from the listed model");
        Assert.Equal("llama-3.1-70b", snapshot.GetProperty("configuration").GetProperty("model").GetString());
        Assert.Contains("by Hugging Face id", agent.Runtime.Sol.ModelFrom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kv_and_tp_left_unset_come_from_the_cache_dtype_and_the_gpu_count()
    {
        var logs = new CapturedLogs();
        await using var server = await ScriptedVllmServer.StartAsync();
        server.CacheDtype = "fp8_e4m3";
        await using var agent = await StartAsync(server, logs, ("model", "llama-3.1-70b"));

        var snapshot = await agent.WaitForSnapshotAsync(s => !Absent(s, "sol"), "the SOL with KV and TP from the sources");
        var configuration = snapshot.GetProperty("configuration");
        Assert.Equal("fp8", configuration.GetProperty("kv").GetString());
        Assert.Equal(8, configuration.GetProperty("tp").GetInt32()); // the stand-in's 8 GPUs
        Assert.Equal(8, configuration.GetProperty("gpusPerReplica").GetInt32());
        Assert.Contains(logs.Lines, l => l.Contains("From the server: TP 8 (PP 1): the GPU source sees 8 GPUs and --tp is unset", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Contains("From the server: KV cache fp8 (cache_dtype 'fp8_e4m3'), --kv is unset", StringComparison.Ordinal));
        Assert.DoesNotContain(Warnings(snapshot), w => w.Contains("server", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Settings_the_sources_contradict_stay_with_warnings_in_the_snapshot()
    {
        await using var server = await ScriptedVllmServer.StartAsync();
        server.CacheDtype = "auto";
        await using var agent = await StartAsync(server, null, ("model", "llama-3.1-70b"), ("kv", "fp8"), ("tp", "4"));

        var snapshot = await agent.WaitForSnapshotAsync(s => !Absent(s, "sol") && Warnings(s).Count() >= 2, "the contradictions");
        var configuration = snapshot.GetProperty("configuration");
        Assert.Equal("fp8", configuration.GetProperty("kv").GetString());
        Assert.Equal(4, configuration.GetProperty("tp").GetInt32());
        Assert.Contains(Warnings(snapshot), w => w.StartsWith("--kv fp8, but the server's KV cache is bf16 (cache_dtype 'auto')", StringComparison.Ordinal));
        Assert.Contains(Warnings(snapshot), w => w.StartsWith("the GPU source sees 8 GPUs, --tp 4 x --pp 1 = 4", StringComparison.Ordinal));
    }
}
