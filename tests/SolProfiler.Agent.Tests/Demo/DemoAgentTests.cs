using System.Globalization;
using System.Text.Json;
using SolProfiler.Demo;
using SolProfiler.Agent.Tests.Browser;
using SolProfiler.Agent.Tests.Integration;
using Xunit.Abstractions;

namespace SolProfiler.Agent.Tests.Demo;

/// <summary>
/// The agent in demo mode, end to end: simulated vLLM server and driven NVML stand-in on one side, the agent's real
/// pipeline on the other. The causes it finds must be the inefficiencies the simulator was given.
/// </summary>
[Collection(NativeStandInGroup.Name)]
public sealed class DemoAgentTests(ITestOutputHelper output)
{
    /// <summary>
    /// A steady batch (no load cycle) so that every window measures one operating point; prompts in chunks of at most
    /// 64 tokens beside the decode tokens (vLLM's long_prefill_token_threshold), so that every step is a similar mixed step.
    /// </summary>
    private static Task<AgentUnderTest> StartDemoAsync(params (string, string)[] more) => AgentUnderTest.StartAsync(
        [("demo", "true"), ("model", "llama-3.1-70b"), ("gpu", "auto"), ("tp", "8"), ("weights", "fp8"), ("kv", "fp8"), ("activations", "fp8"),
         ("window", "3s"), ("demoSettings:fixedBatch", "32"), ("demoSettings:longPrefillTokenThreshold", "64"),
         ("demoSettings:nvmlLibraryPath", NvmlStandIn.LibraryPath), .. more]);

    /// <summary>
    /// A steady window's snapshot and the simulator's truth over the steps of that window (two readings of its sums
    /// around a wait of one window and a half).
    /// </summary>
    private async Task<(JsonElement Snapshot, DemoTruthMeans Truth)> SteadyWindowAsync(AgentUnderTest agent)
    {
        var demo = agent.Demo!;
        await Task.Delay(TimeSpan.FromSeconds(1));
        await agent.WaitForSnapshotAsync(
            s => s.GetProperty("valid").GetBoolean() && DateTimeOffset.Parse(s.GetProperty("operatingPoint").GetProperty("windowStart").GetString()!, CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddSeconds(-3.5),
            "a valid demo window", seconds: 30);
        var before = demo.Truth;
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        var snapshot = await agent.SnapshotAsync();
        var truth = new DemoTruthMeans(demo.Truth.Since(before));
        output.WriteLine($"truth (ms): idle {truth.Idle * 1e3:0.####}, comm {truth.Communication * 1e3:0.####}, extra {truth.ExtraBytes * 1e3:0.####}, unused {truth.UnusedBandwidth * 1e3:0.####}; step {truth.Step * 1e3:0.####}, SOL {truth.SolStep * 1e3:0.####}, prompt tokens/step {truth.PrefillTokens:0.##}, tokens/step {truth.EmittedTokens:0.###}");
        output.WriteLine("agent: " + snapshot.GetProperty("gap").GetProperty("causes") + " " + snapshot.GetProperty("operatingPoint"));
        return (snapshot, truth);
    }

    [Fact]
    public async Task The_gap_causes_recover_the_simulated_inefficiencies_within_ten_percent()
    {
        await using var agent = await StartDemoAsync();
        var (snapshot, truth) = await SteadyWindowAsync(agent);
        var causes = snapshot.GetProperty("gap").GetProperty("causes");

        Close(truth.Idle, causes, "idle");
        Close(truth.Communication, causes, "communication");
        Close(truth.ExtraBytes, causes, "extraBytes");
        Close(truth.UnusedBandwidth, causes, "unusedBandwidth");
        Assert.True(causes.GetProperty("throttling").GetDouble() < 1e-6);
        Assert.InRange(causes.GetProperty("unattributed").GetDouble(), 0, 0.1 * truth.CausesTotal);

        var point = snapshot.GetProperty("operatingPoint");
        Assert.Equal(32, point.GetProperty("batch").GetDouble(), 0.5);
        Assert.Equal(truth.Step, point.GetProperty("measuredStepSeconds").GetDouble(), truth.Step * 0.05);
        Assert.Equal("h100-sxm", snapshot.GetProperty("configuration").GetProperty("gpu").GetString());

        void Close(double expected, JsonElement found, string name)
        {
            var value = found.GetProperty(name).GetDouble();
            Assert.True(Math.Abs(value - expected) <= 0.10 * expected, $"{name}: agent {value * 1e3:0.####} ms, simulator {expected * 1e3:0.####} ms");
        }
    }

    [Fact]
    public async Task An_engine_that_replicates_kv_heads_shows_the_copies_as_extra_bytes()
    {
        // Qwen3-235B-A22B has 4 KV heads: at TP 8 the simulated engine holds each head on two ranks and reads it on
        // both, where the SOL splits the cache by sequence. The second copy is HBM traffic the SOL does not need:
        // at peak bandwidth it takes as long as the SOL's whole KV read, and the agent must find it in extra bytes.
        await using var agent = await StartDemoAsync(("model", "qwen3-235b-a22b"), ("demoSettings:model", "qwen3-235b-a22b"), ("demoSettings:replicateKvHeads", "true"));
        var (snapshot, truth) = await SteadyWindowAsync(agent);
        var sol = snapshot.GetProperty("sol");
        var extra = snapshot.GetProperty("gap").GetProperty("causes").GetProperty("extraBytes").GetDouble();

        Assert.Equal(2 * sol.GetProperty("kvBytesPerGpu").GetDouble(), sol.GetProperty("replicatedKvBytesPerGpu").GetDouble(), 1.0);
        Assert.True(Math.Abs(extra - truth.ExtraBytes) <= 0.10 * truth.ExtraBytes, $"extra bytes: agent {extra * 1e3:0.####} ms, simulator {truth.ExtraBytes * 1e3:0.####} ms");
        var kvAtPeak = sol.GetProperty("seconds").GetProperty("kv").GetDouble();
        Assert.True(extra >= 0.9 * kvAtPeak, $"extra bytes {extra * 1e3:0.####} ms should hold the second KV copy, {kvAtPeak * 1e3:0.####} ms at peak");
    }

    [Fact]
    public async Task With_chunked_prefill_the_sol_of_the_mixed_step_is_the_simulated_one_and_prompt_work_is_not_a_cause()
    {
        // Prompts of 1,024 tokens, half of each found in the prefix cache: about 32 computed prompt tokens per step.
        await using var agent = await StartDemoAsync(("demoSettings:prefixCacheHitRatio", "0.5"));
        var (snapshot, truth) = await SteadyWindowAsync(agent);

        var point = snapshot.GetProperty("operatingPoint");
        Assert.Equal("computed-prompt-tokens-per-engine-step", point.GetProperty("prefillSource").GetString());
        Assert.Equal(truth.PrefillTokens, point.GetProperty("prefillTokensPerStep").GetDouble(), Math.Max(2, truth.PrefillTokens * 0.15));
        Assert.InRange(point.GetProperty("prefillTokensPerStep").GetDouble(), 10, 60);

        // Efficiency = SOL of the step the server ran / measured step, as the simulator ran it.
        var gap = snapshot.GetProperty("gap");
        Assert.Equal(truth.Efficiency, gap.GetProperty("efficiency").GetDouble(), truth.Efficiency * 0.05);
        var prefill = snapshot.GetProperty("sol").GetProperty("seconds").GetProperty("prefill").GetDouble();
        Assert.True(prefill > 0, "the SOL's prefill component is zero although the steps carried prompt tokens");

        // The prompt work is in the SOL, not in the causes: they still recover the simulated inefficiencies.
        var causes = gap.GetProperty("causes");
        Assert.Equal(truth.ExtraBytes, causes.GetProperty("extraBytes").GetDouble(), truth.ExtraBytes * 0.15);
        Assert.Equal(truth.UnusedBandwidth, causes.GetProperty("unusedBandwidth").GetDouble(), truth.UnusedBandwidth * 0.10);
        Assert.Equal(truth.Idle, causes.GetProperty("idle").GetDouble(), truth.Idle * 0.10);
    }

    [Fact]
    public async Task With_speculative_decoding_the_agent_compares_the_verify_step_and_counts_the_tokens_emitted()
    {
        // Three drafts accepted at 0.7 each given the ones before: 0.7 + 0.49 + 0.343 = 1.533 accepted, 2.533 emitted.
        await using var agent = await StartDemoAsync(("demoSettings:draftTokens", "3"), ("demoSettings:draftAcceptanceRate", "0.7"));
        var (snapshot, truth) = await SteadyWindowAsync(agent);

        var point = snapshot.GetProperty("operatingPoint");
        Assert.Equal("speculative-counters", point.GetProperty("speculationSource").GetString());
        Assert.Equal(2.533, point.GetProperty("emittedTokensPerStep").GetDouble(), 0.05);
        Assert.Equal(3, point.GetProperty("draftTokensPerStep").GetDouble(), 1e-9);
        Assert.Equal(truth.EmittedTokens, point.GetProperty("emittedTokensPerStep").GetDouble(), 0.05);

        // tokens/s/user is the tokens emitted per step over the step, not one token per step.
        var step = point.GetProperty("measuredStepSeconds").GetDouble();
        Assert.Equal(truth.Step, step, truth.Step * 0.05);
        Assert.Equal(point.GetProperty("emittedTokensPerStep").GetDouble() / step, point.GetProperty("tokensPerSecondPerUser").GetDouble(), 1e-6);
        Assert.Equal(truth.Efficiency, snapshot.GetProperty("gap").GetProperty("efficiency").GetDouble(), truth.Efficiency * 0.05);
        Assert.Equal(point.GetProperty("emittedTokensPerStep").GetDouble(), snapshot.GetProperty("sol").GetProperty("tokensPerStep").GetDouble(), 1e-9);
    }

    [Fact]
    public async Task Recording_writes_one_snapshot_per_window()
    {
        var path = Path.Combine(Path.GetTempPath(), $"solprof-demo-{Guid.NewGuid():N}.jsonl");
        try
        {
            await using (var agent = await StartDemoAsync(("record:path", path), ("window", "2s")))
            {
                await agent.WaitForSnapshotAsync(_ => File.Exists(path) && File.ReadAllLines(path).Length >= 3, "three recorded windows", seconds: 30);
            }

            var lines = File.ReadAllLines(path);
            var snapshots = lines.Select(l => JsonDocument.Parse(l).RootElement).ToArray();
            Assert.All(snapshots, s => Assert.Equal("llama-3.1-70b", s.GetProperty("configuration").GetProperty("model").GetString()));
            var times = snapshots.Select(s => DateTimeOffset.Parse(s.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture)).ToArray();
            Assert.All(times.Zip(times.Skip(1)), p => Assert.True(p.Second - p.First >= TimeSpan.FromSeconds(1.9), $"{p.First:O} -> {p.Second:O}"));
            Assert.Contains(snapshots, s => s.GetProperty("valid").GetBoolean() && s.GetProperty("gap").GetProperty("efficiency").GetDouble() is > 0 and < 1);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [ChromiumFact]
    public async Task The_status_page_of_the_running_demo_draws_its_charts()
    {
        await using var agent = await StartDemoAsync();
        await agent.WaitForSnapshotAsync(s => s.GetProperty("valid").GetBoolean(), "a valid demo window", seconds: 30);

        var page = new RenderedPage(await HeadlessChromium.DumpDomAsync(agent.BaseUrl));

        Assert.Equal(["sol", "idle", "extraBytes", "unusedBandwidth", "communication", "throttling", "unattributed"], page.AttributeValues("rect", "data-cause"));
        Assert.Equal(["weights", "kv", "compute", "comm", "prefill"], page.AttributeValues("path", "data-component"));
        Assert.NotNull(page.StartTag("frontier-path"));
        Assert.NotNull(page.StartTag("measured-point"));
        Assert.NotNull(page.StartTag("demo-badge"));
        Assert.Equal("live", RenderedPage.Attribute(page.StartTag("freshness"), "data-state"));
        var efficiency = double.Parse(RenderedPage.Attribute(page.StartTag("efficiency"), "data-value")!, CultureInfo.InvariantCulture);
        Assert.InRange(efficiency, 0.2, 0.9);

        var png = Path.Combine(Path.GetTempPath(), $"solprof-demo-{Guid.NewGuid():N}.png");
        try
        {
            await HeadlessChromium.ScreenshotAsync(agent.BaseUrl, png);
            var image = PngImage.Read(png);
            Assert.True(image.Pixels.Distinct().Count() > 200, "the screenshot looks blank");
            if (Environment.GetEnvironmentVariable("SOLPROF_SCREENSHOT_DIR") is { Length: > 0 } keep)
            {
                Directory.CreateDirectory(keep);
                File.Copy(png, Path.Combine(keep, "status-page-demo.png"), overwrite: true);
            }
        }
        finally
        {
            File.Delete(png);
        }
    }
}

/// <summary>The simulator's truth over a span, as means per decode observation (what the agent's window averages).</summary>
internal readonly record struct DemoTruthMeans(DemoTruth Sums)
{
    public double Step => Sums.Mean(Sums.StepSeconds);

    public double SolStep => Sums.Mean(Sums.SolStepSeconds);

    public double Efficiency => Sums.Efficiency;

    public double PrefillTokens => Sums.Mean(Sums.PrefillTokens);

    public double EmittedTokens => Sums.Mean(Sums.EmittedTokens);

    public double Idle => Sums.Mean(Sums.Idle);

    public double Communication => Sums.Mean(Sums.Communication);

    public double ExtraBytes => Sums.Mean(Sums.ExtraBytes);

    public double UnusedBandwidth => Sums.Mean(Sums.UnusedBandwidth);

    public double CausesTotal => Idle + Communication + ExtraBytes + UnusedBandwidth + Sums.Mean(Sums.Throttling);
}
