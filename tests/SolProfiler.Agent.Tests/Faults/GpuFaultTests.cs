using SolProfiler.Agent.Tests.Integration;
using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Agent.Tests.Faults;

/// <summary>
/// The fault matrix for the GPU side, through the real P/Invoke path on the NVML stand-in: a GPU that falls off the
/// bus, one that disappears from the device count, and every call failing. The agent stays up, the GPUs still read
/// are exported, the fault is counted, the serving side's gap is untouched, and all 8 GPUs come back with the device.
/// (A missing library and every call failing from the start are in <see cref="AgentMetricsTests"/>.)
/// The faults are injected through the stand-in's back door, which reaches the copy of the library loaded in this
/// process only: these run against the agent in this process, not the separate executable.
/// </summary>
[Trait("Category", "Fault")]
[Trait("Agent", AgentUnderTest.InProcess)]
[Collection(NativeStandInGroup.Name)]
public sealed class GpuFaultTests
{
    private const int NvmlErrorGpuIsLost = 15;

    [Fact]
    public async Task A_gpu_that_falls_off_the_bus_is_skipped_and_counted_and_comes_back()
    {
        await using var server = await ScriptedVllmServer.StartAsync();
        await using var agent = await AgentMetricsTests.StartAgentAsync(server);
        var before = await ServingFaultTests.GoodWindowAsync(agent, server);
        await agent.WaitForMetricsAsync(d => Gpus(d).Count == 8, "8 GPUs");

        NvmlStandIn.InjectError("nvmlDeviceGetPowerUsage", 3, NvmlErrorGpuIsLost);
        var during = await agent.WaitForMetricsAsync(
            d => !Gpus(d).Contains("3") && Gpus(d).Count == 7
                && d.Samples("sol_source_errors_total").Any(s => s.LabelValue("source") == "gpu" && s.LabelValue("reason") == "partial" && s.Value >= 1),
            "GPU 3 gone, the other 7 exported and the partial read counted");
        Assert.Equal(1, Assert.Single(during.Samples("sol_source_up"), s => s.LabelValue("source") == "gpu").Value);
        Assert.Equal(before, await ServingFaultTests.GoodWindowAsync(agent, server), 3);
        await ServingFaultTests.AssertHealthyExpositionAsync(agent);

        NvmlStandIn.InjectError("nvmlDeviceGetPowerUsage", 3, 0, 0);
        await agent.WaitForMetricsAsync(d => Gpus(d).Count == 8, "GPU 3 back");
    }

    [Fact]
    public async Task A_gpu_that_leaves_the_device_count_ages_out_and_returns()
    {
        await using var server = await ScriptedVllmServer.StartAsync();
        await using var agent = await AgentMetricsTests.StartAgentAsync(server);
        var before = await ServingFaultTests.GoodWindowAsync(agent, server);
        await agent.WaitForMetricsAsync(d => Gpus(d).Count == 8, "8 GPUs");

        NvmlStandIn.SetDeviceCount(7);
        await agent.WaitForMetricsAsync(d => Gpus(d).Count == 7 && !Gpus(d).Contains("7"), "GPU 7 aged out of the window");
        Assert.Equal(before, await ServingFaultTests.GoodWindowAsync(agent, server), 3);
        await ServingFaultTests.AssertHealthyExpositionAsync(agent);

        NvmlStandIn.SetDeviceCount(8);
        await agent.WaitForMetricsAsync(d => Gpus(d).Count == 8, "GPU 7 back");
    }

    [Fact]
    public async Task Every_call_failing_mid_run_takes_the_gpu_source_down_and_it_recovers()
    {
        await using var server = await ScriptedVllmServer.StartAsync();
        await using var agent = await AgentMetricsTests.StartAgentAsync(server);
        var before = await ServingFaultTests.GoodWindowAsync(agent, server);

        NvmlStandIn.InjectError("nvmlDeviceGetHandleByIndex_v2", -1, 999); // NVML_ERROR_UNKNOWN for every device
        await agent.WaitForMetricsAsync(d => d.Samples("sol_source_up").Any(s => s.LabelValue("source") == "gpu" && s.Value == 0), "GPU source down");
        await ServingFaultTests.AssertHealthyExpositionAsync(agent);

        NvmlStandIn.InjectError("nvmlDeviceGetHandleByIndex_v2", -1, 0, 0);
        await agent.WaitForMetricsAsync(d => Gpus(d).Count == 8 && d.Samples("sol_source_up").Any(s => s.LabelValue("source") == "gpu" && s.Value == 1), "all 8 GPUs back");
        Assert.Equal(before, await ServingFaultTests.GoodWindowAsync(agent, server), 3);
    }

    [Fact]
    public async Task A_dcgm_host_engine_that_drops_and_stays_away_takes_the_gpu_source_down_until_it_is_back()
    {
        DcgmStandIn.Reset();
        await using var server = await ScriptedVllmServer.StartAsync();
        await using var agent = await AgentUnderTest.StartAsync(
            ("model", "llama-3.1-70b"), ("gpu", "h100-sxm"), ("tp", "8"), ("weights", "fp8"), ("kv", "fp8"), ("activations", "fp8"),
            ("gpuSource:backend", "dcgm"), ("gpuSource:library", DcgmStandIn.LibraryPath), ("gpuSource:dcgmHost", "127.0.0.1:5555"),
            ("serving:url", server.MetricsUrl.ToString()));
        var before = await ServingFaultTests.GoodWindowAsync(agent, server);
        await agent.WaitForMetricsAsync(d => Gpus(d).Count == 8, "8 GPUs through DCGM");

        DcgmStandIn.SetHostEngineReachable(false);
        DcgmStandIn.DropConnections();
        await agent.WaitForMetricsAsync(
            d => d.Samples("sol_source_up").Any(s => s.LabelValue("source") == "gpu" && s.Value == 0) && Gpus(d).Count == 0,
            "GPU source down with the host engine gone");
        // the serving side's gap is untouched (its attribution to causes needs the GPUs, its efficiency does not)
        Assert.Equal(before, await ServingFaultTests.GoodWindowAsync(agent, server, withGpuReads: false), 3);
        await ServingFaultTests.AssertHealthyExpositionAsync(agent);

        DcgmStandIn.SetHostEngineReachable(true);
        // the source retries with back-off (1 s, 2 s, 4 s, ...): it reconnects within a few seconds
        await agent.WaitForMetricsAsync(d => Gpus(d).Count == 8 && d.Samples("sol_source_up").Any(s => s.LabelValue("source") == "gpu" && s.Value == 1), "reconnected", seconds: 40);
    }

    private static HashSet<string> Gpus(ExpositionDocument d) =>
        d.Samples("sol_gpu_power_watts").Select(s => s.LabelValue("gpu")!).ToHashSet(StringComparer.Ordinal);
}
