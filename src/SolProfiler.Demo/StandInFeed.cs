using SolProfiler.Demo.StandIn;

namespace SolProfiler.Demo;

/// <summary>
/// Sets the NVML stand-in's values from the simulation's averaged GPU activity, in the stand-in's units (mW, percent,
/// KiB/s). Every GPU of the TP group runs the same step, so every GPU gets the same values.
/// </summary>
internal sealed class StandInFeed(NvmlStandInDriver driver, DemoWorkload workload)
{
    /// <summary>Static values: the power limit and memory, as vLLM leaves them (90 % of HBM taken at start-up).</summary>
    public void Initialise()
    {
        var memory = workload.Gpu.MemoryBytes.Value;
        driver.SetValue("power_limit_mw", workload.Gpu.PowerCapWatts.Value * 1000);
        driver.SetValue("memory_total_bytes", memory);
        driver.SetValue("memory_reserved_bytes", 0);
        driver.SetValue("memory_used_bytes", memory * DemoWorkload.KvMemoryShare);
        driver.SetValue("clocks_event_reasons", 0);
        Apply(new GpuActivity(0, workload.Gpu.IdlePowerWatts.Value, 0, 0, 0, 0, 0, false));
    }

    public void Apply(GpuActivity activity)
    {
        var kibPerSecond = activity.NvlinkBytesPerSecond / 1024;
        driver.SetValue("power_mw", activity.PowerWatts * 1000);
        driver.SetValue("util_gpu", activity.GraphicsActiveRatio * 100);
        driver.SetValue("sm_util", activity.SmActiveRatio * 100);
        driver.SetValue("util_memory", activity.DramActiveRatio * 100);
        driver.SetValue("tensor_util", activity.TensorActiveRatio * 100);
        driver.SetValue("nvlink_tx_kib_per_s", kibPerSecond);
        driver.SetValue("nvlink_rx_kib_per_s", kibPerSecond);
        driver.SetValue("clocks_event_reasons", activity.Throttled ? DemoWorkload.SwPowerCapBit : 0);
    }
}
