using SolProfiler.Telemetry.Exposition;
using SolProfiler.Telemetry.Gpu;
using SolProfiler.Telemetry.Gpu.DcgmExporter;

namespace SolProfiler.Telemetry.Tests.Gpu;

public class DcgmExporterTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    private static string Fixture => Path.Combine(AppContext.BaseDirectory, "Fixtures", "dcgm-exporter", "metrics.prom");

    [Fact]
    public async Task A_capture_maps_to_one_sample_per_gpu_in_SI_units()
    {
        await using var source = DcgmExporterGpuSource.ForFile(Fixture);
        var snapshot = await source.ReadAsync();
        Assert.False(snapshot.Down, snapshot.DownReason);
        Assert.Equal("dcgm-exporter", snapshot.Backend);
        Assert.Equal([0, 1], snapshot.Gpus.Select(g => g.Index));
        var g1 = snapshot.Gpus[1];
        Assert.Equal("GPU-0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e", g1.Uuid);
        Assert.Equal("NVIDIA H100 80GB HBM3", g1.Name);
        Assert.Equal("00000000:2A:00.0", g1.PciBusId);
        Assert.Equal(689.25, g1.PowerWatts);
        Assert.Equal(234567.890, g1.EnergyJoules!.Value, 6);              // mJ -> J
        Assert.Equal(1755e6, g1.SmClockHz);                                 // MHz -> Hz
        Assert.Equal(79779 * 1048576.0, g1.MemoryUsedBytes);                // MiB -> bytes
        Assert.Equal((79779 + 1200 + 580) * 1048576.0, g1.MemoryTotalBytes);
        Assert.Equal(0.991, g1.GraphicsActiveRatio);                        // the profiling field wins over GPU_UTIL
        Assert.Equal(0.402, g1.DramActiveRatio);
        Assert.Equal(0.455, g1.TensorActiveRatio);
        Assert.Equal(2.5e6, g1.PcieTxBytesPerSecond);
        Assert.Equal(["sw_power_cap"], g1.ThrottleReasons);                 // bit 0x4
        Assert.Empty(snapshot.Gpus[0].ThrottleReasons!);
        Assert.Null(g1.SmActiveRatio);                                      // not enabled in the default counters
        Assert.Contains("smActiveRatio", snapshot.MissingFields);
        Assert.DoesNotContain("powerWatts", snapshot.MissingFields);
        Assert.Contains(snapshot.Warnings, w => w.Contains("NVLINK_BANDWIDTH_TOTAL", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_profiling_fields_utilization_is_the_fallback_and_a_warning_says_why()
    {
        var body = string.Join('\n', File.ReadLines(Fixture).Where(l => !l.Contains("DCGM_FI_PROF_", StringComparison.Ordinal)));
        var snapshot = DcgmExporterReading.Read(ExpositionParser.Parse(body), T);
        Assert.Equal(0.97, snapshot.Gpus[0].GraphicsActiveRatio!.Value, 12);
        Assert.Null(snapshot.Gpus[0].DramActiveRatio);
        Assert.Contains("dramActiveRatio", snapshot.MissingFields);
        Assert.Contains(snapshot.Warnings, w => w.Contains("SYS_ADMIN", StringComparison.Ordinal));
    }

    [Fact]
    public void A_body_without_gpu_metrics_is_down_with_the_reason()
    {
        var snapshot = DcgmExporterReading.Read(ExpositionParser.Parse("# TYPE go_goroutines gauge\ngo_goroutines 12\n"), T);
        Assert.True(snapshot.Down);
        Assert.Contains("no DCGM_FI_", snapshot.DownReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_is_down_not_a_crash()
    {
        await using var source = DcgmExporterGpuSource.ForFile("/nonexistent/dcgm.prom");
        var snapshot = await source.ReadAsync();
        Assert.True(snapshot.Down);
        Assert.Contains("cannot read", snapshot.DownReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0UL, new string[0])]
    [InlineData(0x4UL, new[] { "sw_power_cap" })]
    [InlineData(0x48UL, new[] { "hw_slowdown", "hw_thermal" })]
    [InlineData(0x1001UL, new[] { "gpu_idle", "unknown_0x1000" })]
    public void Clock_event_bits_decode_to_names(ulong mask, string[] names) => Assert.Equal(names, ClockEventReasons.Decode(mask));
}
