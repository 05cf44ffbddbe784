using System.Globalization;
using System.Text.Json;
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
    /// <summary>A steady batch (no load cycle) so that every window measures one operating point.</summary>
    private static Task<AgentUnderTest> StartDemoAsync(params (string, string)[] more) => AgentUnderTest.StartAsync(
        [("demo", "true"), ("model", "llama-3.1-70b"), ("gpu", "auto"), ("tp", "8"), ("weights", "fp8"), ("kv", "fp8"), ("activations", "fp8"),
         ("window", "3s"), ("demoSettings:fixedBatch", "32"),
         ("demoSettings:nvmlLibraryPath", Telemetry.Tests.Gpu.Nvml.NvmlStandIn.LibraryPath), .. more]);

    [Fact]
    public async Task The_gap_causes_recover_the_simulated_inefficiencies_within_ten_percent()
    {
        await using var agent = await StartDemoAsync();
        var demo = agent.Runtime.Demo!;

        // Wait for a window that holds only steady-state steps (started after the batch filled up).
        await Task.Delay(TimeSpan.FromSeconds(1));
        var snapshot = await agent.WaitForSnapshotAsync(
            s => s.GetProperty("valid").GetBoolean() && DateTimeOffset.Parse(s.GetProperty("operatingPoint").GetProperty("windowStart").GetString()!, CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddSeconds(-3.5),
            "a valid demo window", seconds: 30);
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        snapshot = await agent.SnapshotAsync();
        var truth = demo.Current;
        var causes = snapshot.GetProperty("gap").GetProperty("causes");
        output.WriteLine($"truth (ms): idle {truth.Causes.Idle * 1e3:0.####}, comm {truth.Causes.Communication * 1e3:0.####}, extra {truth.Causes.ExtraBytes * 1e3:0.####}, unused {truth.Causes.UnusedBandwidth * 1e3:0.####}; step {truth.StepSeconds * 1e3:0.####}");
        output.WriteLine("agent: " + causes);

        Close(truth.Causes.Idle, causes, "idle");
        Close(truth.Causes.Communication, causes, "communication");
        Close(truth.Causes.ExtraBytes, causes, "extraBytes");
        Close(truth.Causes.UnusedBandwidth, causes, "unusedBandwidth");
        Assert.True(causes.GetProperty("throttling").GetDouble() < 1e-6);
        Assert.InRange(causes.GetProperty("unattributed").GetDouble(), 0, 0.1 * truth.Causes.Total);

        var point = snapshot.GetProperty("operatingPoint");
        Assert.Equal(32, point.GetProperty("batch").GetDouble(), 0.5);
        Assert.Equal(truth.StepSeconds, point.GetProperty("measuredStepSeconds").GetDouble(), truth.StepSeconds * 0.05);
        Assert.Equal("h100-sxm", snapshot.GetProperty("configuration").GetProperty("gpu").GetString());

        void Close(double expected, JsonElement found, string name)
        {
            var value = found.GetProperty(name).GetDouble();
            Assert.True(Math.Abs(value - expected) <= 0.10 * expected, $"{name}: agent {value * 1e3:0.####} ms, simulator {expected * 1e3:0.####} ms");
        }
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
        Assert.Equal(["weights", "kv", "compute", "comm"], page.AttributeValues("path", "data-component"));
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
