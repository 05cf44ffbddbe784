using Microsoft.Extensions.Time.Testing;
using SolProfiler.Demo.StandIn;
using System.Globalization;
using SolProfiler.Telemetry.Gpu;
using SolProfiler.Telemetry.Gpu.Nvml;

namespace SolProfiler.Telemetry.Tests.Gpu.Nvml;

[Collection(NvmlStandInGroup.Name)]
public sealed class NvmlGpuSourceTests
{
    private const int NvmlErrorUninitialized = 1;
    private const int NvmlErrorNotSupported = 3;
    private const int NvmlErrorDriverNotLoaded = 9;
    private const int NvmlErrorLibraryNotFound = 12;
    private const int NvmlErrorGpuIsLost = 15;

    /// <summary>Missing on a first read: the GPM ratios need a second sample; xidErrors never comes from NVML.</summary>
    private static readonly string[] NeverFromNvml = ["smActiveRatio", "smOccupancyRatio", "tensorActiveRatio", "dramActiveRatio", "xidErrors"];

    private static readonly string[] GpmFields = ["smActiveRatio", "smOccupancyRatio", "tensorActiveRatio", "dramActiveRatio"];

    public NvmlGpuSourceTests()
    {
        NvmlStandIn.Reset();
    }

    // NVML wants GPM samples more than 100 ms apart; the tests let that pass on the stand-in's clock instead of sleeping.
    private static readonly TimeSpan GpmInterval = TimeSpan.FromMilliseconds(150);

    private static NvmlGpuSource NewSource(TimeProvider? time = null) =>
        new(new NvmlGpuSourceOptions { LibraryPath = NvmlStandIn.LibraryPath, TimeProvider = time ?? NvmlStandIn.Clock });

    private static Task<GpuSnapshot> ReadAfterGpmInterval(NvmlGpuSource source)
    {
        NvmlStandIn.Elapse(GpmInterval);
        return source.ReadAsync();
    }

    [Fact]
    public async Task The_calls_nvml_13_keeps_come_first_and_the_deprecated_ones_are_not_made()
    {
        // NVML 13 deprecates nvmlDeviceGetTemperature and ...ClocksThrottleReasons; their replacements exist since 12.8
        // and 12.2, and a library that has them is asked through them.
        await using var source = NewSource();
        var snapshot = await source.ReadAsync();
        Assert.False(snapshot.Down, snapshot.DownReason);
        Assert.All(snapshot.Gpus, g => Assert.NotNull(g.GpuTemperatureCelsius));
        Assert.Equal(snapshot.Gpus.Count, NvmlStandIn.CallCount("nvmlDeviceGetTemperatureV"));
        Assert.Equal(snapshot.Gpus.Count, NvmlStandIn.CallCount("nvmlDeviceGetCurrentClocksEventReasons"));
        Assert.Equal(0, NvmlStandIn.CallCount("nvmlDeviceGetTemperature"));
        Assert.Equal(0, NvmlStandIn.CallCount("nvmlDeviceGetCurrentClocksThrottleReasons"));
    }

    [Fact]
    public async Task Reads_eight_gpus_with_every_field_type_marshalled()
    {
        // Memory temperature (field 82) on GPUs 3..6 comes back as double, signed long long, signed int and unsigned short.
        NvmlStandIn.SetFieldValue(3, 82, valueType: 0, 71.5);
        NvmlStandIn.SetFieldValue(4, 82, valueType: 4, 63);
        NvmlStandIn.SetFieldValue(5, 82, valueType: 5, -2);
        NvmlStandIn.SetFieldValue(6, 82, valueType: 6, 64);
        NvmlStandIn.SetDeviceName(7, "NVIDIA H100 NVL");

        await using var source = NewSource();
        var snapshot = await source.ReadAsync();

        Assert.False(snapshot.Down, snapshot.DownReason);
        Assert.Equal("nvml", snapshot.Backend);
        Assert.Empty(snapshot.Warnings);
        Assert.Equal(8, snapshot.Gpus.Count);
        Assert.Equal(NeverFromNvml, snapshot.MissingFields);
        Assert.Equal("580.65.06-solprof", source.DriverVersion);

        string[] buses = ["18", "2A", "3A", "5D", "9A", "AB", "BA", "DB"];
        for (var i = 0; i < 8; i++)
        {
            var gpu = snapshot.Gpus[i];
            Assert.Equal(i, gpu.Index);
            Assert.Equal(i == 7 ? "NVIDIA H100 NVL" : "NVIDIA H100 80GB HBM3", gpu.Name);
            Assert.Equal($"GPU-5017f0f1-0000-4000-8000-{i:x12}", gpu.Uuid);
            Assert.Equal($"00000000:{buses[i]}:00.0", gpu.PciBusId);
            Assert.Equal(100.0 + i, gpu.PowerWatts);
            Assert.Equal(1.0e6 + (1.0e3 * i), gpu.EnergyJoules);
            Assert.Equal(700.0, gpu.PowerLimitWatts);
            Assert.Equal(1.98e9, gpu.SmClockHz);
            Assert.Equal(2.619e9, gpu.MemClockHz);
            Assert.Equal(40.0 + i, gpu.GpuTemperatureCelsius);
            Assert.Equal(85520809984.0, gpu.MemoryTotalBytes);
            Assert.Equal(1073741824.0 * (1 + i), gpu.MemoryUsedBytes);
            Assert.Equal((10.0 + i) / 100.0, gpu.GraphicsActiveRatio!.Value, 12);
            Assert.Equal(1000.0 * (i + 1) * 1024, gpu.NvlinkTxBytes);
            Assert.Equal(2000.0 * (i + 1) * 1024, gpu.NvlinkRxBytes);
            Assert.Equal(0.0, gpu.PcieTxBytes);
            Assert.Equal(0.0, gpu.PcieRxBytes);
            Assert.Empty(gpu.ThrottleReasons!);
            Assert.Null(gpu.SmActiveRatio);
            Assert.Null(gpu.XidErrors);
        }

        Assert.Equal([50.0, 51.0, 52.0, 71.5, 63.0, -2.0, 64.0, 57.0], snapshot.Gpus.Select(g => g.MemoryTemperatureCelsius!.Value));
    }

    [Fact]
    public async Task Converts_units_and_integrates_pcie_rate()
    {
        NvmlStandIn.SetValue(0, "power_mw", 350123);
        NvmlStandIn.SetValue(0, "energy_mj", 5_000_000_123);
        NvmlStandIn.SetValue(0, "power_limit_mw", 650000);
        NvmlStandIn.SetValue(0, "clock_sm_mhz", 1755);
        NvmlStandIn.SetValue(0, "clock_mem_mhz", 1593);
        NvmlStandIn.SetValue(0, "util_gpu", 45);
        NvmlStandIn.SetValue(0, "nvlink_tx_kib", 3);
        NvmlStandIn.SetValue(0, "memory_used_bytes", 123456789);
        NvmlStandIn.SetValue(0, "clocks_event_reasons", 0x4 | 0x40 | 0x1000);
        NvmlStandIn.SetValue(NvmlStandIn.AllGpus, "pcie_tx_kbps", 1000);
        NvmlStandIn.SetValue(NvmlStandIn.AllGpus, "pcie_rx_kbps", 3000);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

        await using var source = NewSource(clock);
        var first = (await source.ReadAsync()).Gpus[0];
        clock.Advance(TimeSpan.FromSeconds(2));
        NvmlStandIn.SetValue(0, "pcie_tx_kbps", 2000);
        var second = (await source.ReadAsync()).Gpus[0];

        Assert.Equal(350.123, first.PowerWatts!.Value, 9);
        Assert.Equal(5_000_000.123, first.EnergyJoules!.Value, 6);
        Assert.Equal(650.0, first.PowerLimitWatts);
        Assert.Equal(1.755e9, first.SmClockHz);
        Assert.Equal(1.593e9, first.MemClockHz);
        Assert.Equal(0.45, first.GraphicsActiveRatio!.Value, 12);
        Assert.Equal(3072.0, first.NvlinkTxBytes);
        Assert.Equal(123456789.0, first.MemoryUsedBytes);
        Assert.Equal(["sw_power_cap", "hw_thermal", "unknown_0x1000"], first.ThrottleReasons);
        Assert.Equal(0.0, first.PcieTxBytes);
        // Trapezoid over 2 s: (1000 + 2000) / 2 KB/s * 2 s = 3000 KB; rx 3000 KB/s * 2 s = 6000 KB.
        Assert.Equal(3000.0 * 1024, second.PcieTxBytes);
        Assert.Equal(6000.0 * 1024, second.PcieRxBytes);
        Assert.Equal(clock.GetUtcNow(), second.Timestamp);
    }

    [Fact]
    public async Task Uninitialized_count_is_down_and_the_next_read_reinitialises()
    {
        NvmlStandIn.InjectError("nvmlDeviceGetCount_v2", -1, NvmlErrorUninitialized, calls: 1);
        await using var source = NewSource();

        var down = await source.ReadAsync();
        var up = await source.ReadAsync();

        Assert.True(down.Down);
        Assert.Contains("nvmlDeviceGetCount_v2: Uninitialized", down.DownReason, StringComparison.Ordinal);
        Assert.Empty(down.Gpus);
        Assert.False(up.Down, up.DownReason);
        Assert.Equal(8, up.Gpus.Count);
        Assert.Equal(2, NvmlStandIn.CallCount("nvmlInit_v2"));
        Assert.Equal(1, NvmlStandIn.InitCount);
    }

    [Fact]
    public async Task Not_supported_field_is_null_and_listed_missing_without_warning()
    {
        NvmlStandIn.InjectError("nvmlDeviceGetPowerUsage", 2, NvmlErrorNotSupported);
        NvmlStandIn.InjectError("nvmlDeviceGetFieldValues:82", 1, NvmlErrorNotSupported);
        await using var source = NewSource();

        var snapshot = await source.ReadAsync();

        Assert.Equal(8, snapshot.Gpus.Count);
        Assert.Null(snapshot.Gpus[2].PowerWatts);
        Assert.Null(snapshot.Gpus[1].MemoryTemperatureCelsius);
        Assert.All(snapshot.Gpus.Where(g => g.Index != 2), g => Assert.NotNull(g.PowerWatts));
        Assert.All(snapshot.Gpus.Where(g => g.Index != 1), g => Assert.NotNull(g.MemoryTemperatureCelsius));
        Assert.NotNull(snapshot.Gpus[1].NvlinkTxBytes);
        Assert.Contains("powerWatts", snapshot.MissingFields);
        Assert.Contains("memoryTemperatureCelsius", snapshot.MissingFields);
        Assert.Empty(snapshot.Warnings);
    }

    [Fact]
    public async Task Lost_gpu_is_skipped_with_a_warning()
    {
        NvmlStandIn.InjectError("nvmlDeviceGetPowerUsage", 5, NvmlErrorGpuIsLost);
        NvmlStandIn.InjectError("nvmlDeviceGetHandleByIndex_v2", 6, NvmlErrorGpuIsLost);
        await using var source = NewSource();

        var snapshot = await source.ReadAsync();

        Assert.False(snapshot.Down);
        Assert.Equal([0, 1, 2, 3, 4, 7], snapshot.Gpus.Select(g => g.Index));
        Assert.Equal(2, snapshot.Warnings.Count);
        Assert.Contains(snapshot.Warnings, w => w.StartsWith("GPU 5:", StringComparison.Ordinal) && w.Contains("GPU is lost", StringComparison.Ordinal));
        Assert.Contains(snapshot.Warnings, w => w.StartsWith("GPU 6:", StringComparison.Ordinal) && w.Contains("GPU is lost", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Other_device_errors_leave_the_field_null_with_a_warning()
    {
        NvmlStandIn.InjectError("nvmlDeviceGetTotalEnergyConsumption", 0, 999);
        await using var source = NewSource();

        var snapshot = await source.ReadAsync();

        Assert.Null(snapshot.Gpus[0].EnergyJoules);
        Assert.Contains("energyJoules", snapshot.MissingFields);
        var warning = Assert.Single(snapshot.Warnings);
        Assert.Contains("Unknown Error", warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(NvmlErrorLibraryNotFound, "NVML Shared Library Not Found")]
    [InlineData(NvmlErrorDriverNotLoaded, "Driver Not Loaded")]
    public async Task Init_failure_is_down_with_the_nvml_error_string(int code, string text)
    {
        NvmlStandIn.InjectError("nvmlInit_v2", -1, code);
        await using var source = NewSource();

        var snapshot = await source.ReadAsync();

        Assert.True(snapshot.Down);
        Assert.Contains("nvmlInit_v2: " + text, snapshot.DownReason, StringComparison.Ordinal);
        Assert.Contains(code.ToString(CultureInfo.InvariantCulture), snapshot.DownReason, StringComparison.Ordinal);
        Assert.Empty(snapshot.Gpus);
        Assert.Equal(0, NvmlStandIn.InitCount);
        Assert.False(source.IsOpen);
    }

    [Fact]
    public async Task Missing_library_is_down_without_throwing()
    {
        await using var source = new NvmlGpuSource(new NvmlGpuSourceOptions { LibraryPath = "/nonexistent/solprof/libnvidia-ml.so.1" });

        var snapshot = await source.ReadAsync();

        Assert.True(snapshot.Down);
        Assert.StartsWith("libnvidia-ml.so.1 not found (", snapshot.DownReason, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/solprof/libnvidia-ml.so.1", snapshot.DownReason, StringComparison.Ordinal);
        Assert.Empty(snapshot.Gpus);
    }

    [Fact]
    public async Task Environment_variable_names_the_library_when_no_path_is_given()
    {
        var before = Environment.GetEnvironmentVariable("SOLPROF_NVML_LIBRARY");
        Environment.SetEnvironmentVariable("SOLPROF_NVML_LIBRARY", NvmlStandIn.LibraryPath);
        try
        {
            NvmlStandIn.SetDeviceCount(2);
            await using var source = new NvmlGpuSource();
            var snapshot = await source.ReadAsync();
            Assert.False(snapshot.Down, snapshot.DownReason);
            Assert.Equal(2, snapshot.Gpus.Count);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SOLPROF_NVML_LIBRARY", before);
        }
    }

    [Fact]
    public async Task Sessions_nest_and_dispose_shuts_down_once()
    {
        var a = NewSource();
        var b = NewSource();
        Assert.False((await a.ReadAsync()).Down);
        Assert.False((await b.ReadAsync()).Down);
        Assert.Equal(2, NvmlStandIn.InitCount);

        await a.DisposeAsync();
        await a.DisposeAsync();
        Assert.Equal(1, NvmlStandIn.InitCount);
        Assert.Equal(8, (await b.ReadAsync()).Gpus.Count);
        var afterDispose = await a.ReadAsync();
        Assert.True(afterDispose.Down);

        await b.DisposeAsync();
        Assert.Equal(0, NvmlStandIn.InitCount);
        Assert.Equal(2, NvmlStandIn.CallCount("nvmlShutdown"));
    }

    [Fact]
    public async Task Device_count_up_to_sixteen()
    {
        NvmlStandIn.SetDeviceCount(16);
        await using var source = NewSource();
        var sixteen = await source.ReadAsync();
        NvmlStandIn.SetDeviceCount(0);
        var none = await source.ReadAsync();

        Assert.Equal(16, sixteen.Gpus.Count);
        Assert.Equal("00000000:EF:00.0", sixteen.Gpus[15].PciBusId);
        Assert.False(none.Down);
        Assert.Empty(none.Gpus);
    }

    [Fact]
    public async Task Gpm_ratios_appear_from_the_second_read()
    {
        NvmlStandIn.SetValue(0, "util_gpu", 45);
        NvmlStandIn.SetValue(0, "util_memory", 30);
        NvmlStandIn.SetValue(0, "sm_occupancy", 62.5);
        NvmlStandIn.SetValue(0, "tensor_util", 12);
        await using var source = NewSource();

        var first = await source.ReadAsync();
        NvmlStandIn.Elapse(GpmInterval);
        var second = await source.ReadAsync();
        NvmlStandIn.SetValue(0, "tensor_util", 80);
        NvmlStandIn.Elapse(GpmInterval);
        var third = await source.ReadAsync();

        Assert.Empty(first.Warnings);
        Assert.Equal(NeverFromNvml, first.MissingFields);
        Assert.All(first.Gpus, g => Assert.True(g.SmActiveRatio is null && g.SmOccupancyRatio is null && g.TensorActiveRatio is null && g.DramActiveRatio is null));

        Assert.Empty(second.Warnings);
        Assert.Equal(["xidErrors"], second.MissingFields);
        var gpu0 = second.Gpus[0];
        Assert.Equal(0.30, gpu0.DramActiveRatio!.Value, 6);
        Assert.Equal(0.45, gpu0.SmActiveRatio!.Value, 6);
        Assert.Equal(0.625, gpu0.SmOccupancyRatio!.Value, 6);
        Assert.Equal(0.12, gpu0.TensorActiveRatio!.Value, 6);
        for (var i = 1; i < 8; i++)
        {
            var gpu = second.Gpus[i];
            Assert.Equal((5.0 + i) / 100.0, gpu.DramActiveRatio!.Value, 6);
            Assert.Equal((10.0 + i) / 100.0, gpu.SmActiveRatio!.Value, 6);
            Assert.Equal((30.0 + i) / 100.0, gpu.SmOccupancyRatio!.Value, 6);
            Assert.Equal((20.0 + i) / 100.0, gpu.TensorActiveRatio!.Value, 6);
        }

        // The third read compares with the second sample (the two buffers alternate).
        Assert.Empty(third.Warnings);
        Assert.Equal(0.80, third.Gpus[0].TensorActiveRatio!.Value, 6);
        Assert.Equal(0.45, third.Gpus[0].SmActiveRatio!.Value, 6);
        Assert.Equal(16, NvmlStandIn.CallCount("nvmlGpmSampleAlloc"));
        Assert.Equal(24, NvmlStandIn.CallCount("nvmlGpmSampleGet"));
        Assert.Equal(16, NvmlStandIn.CallCount("nvmlGpmMetricsGet"));
    }

    [Fact]
    public async Task Graphics_ratio_comes_from_gpm_and_falls_back_to_the_integer_utilization()
    {
        // nvmlDeviceGetUtilizationRates truncates to whole percent (45); GPM GRAPHICS_UTIL keeps the fraction (45.5).
        NvmlStandIn.SetValue(NvmlStandIn.AllGpus, "util_gpu", 45.5);
        await using var source = NewSource();

        var first = await source.ReadAsync();
        NvmlStandIn.Elapse(GpmInterval);
        var second = await source.ReadAsync();
        NvmlStandIn.InjectError("nvmlGpmMetricsGet:1", 2, NvmlErrorNotSupported, calls: 1);
        NvmlStandIn.Elapse(GpmInterval);
        var third = await source.ReadAsync();

        Assert.All(first.Gpus, g => Assert.Equal(0.45, g.GraphicsActiveRatio!.Value, 12));
        Assert.All(second.Gpus, g => Assert.Equal(0.455, g.GraphicsActiveRatio!.Value, 6));
        Assert.Equal(0.45, third.Gpus[2].GraphicsActiveRatio!.Value, 12);
        Assert.Equal(0.455, third.Gpus[1].GraphicsActiveRatio!.Value, 6);
        Assert.Empty(third.Warnings);
        Assert.DoesNotContain("graphicsActiveRatio", third.MissingFields);
    }

    [Fact]
    public async Task Driven_workload_holds_set_values_and_integrates_the_counters()
    {
        var driver = NvmlStandInControl.ConfigureDriven(NvmlStandIn.LibraryPath, 2, "NVIDIA H100 80GB HBM3");
        driver.SetValues(new Dictionary<string, double>
        {
            ["power_mw"] = 200_000, ["util_gpu"] = 90, ["sm_util"] = 70, ["util_memory"] = 62.5,
            ["nvlink_tx_kib_per_s"] = 1_000_000, ["nvlink_rx_kib_per_s"] = 0,
        });
        await using var source = NewSource();

        var first = await source.ReadAsync();
        NvmlStandIn.Elapse(GpmInterval / 2);
        driver.SetValue("power_mw", 400_000);
        driver.SetValue("util_memory", 12.5);
        NvmlStandIn.Elapse(GpmInterval / 2);
        var second = await source.ReadAsync();

        Assert.Equal(2, second.Gpus.Count);
        var seconds = (second.Timestamp - first.Timestamp).TotalSeconds;
        for (var i = 0; i < 2; i++)
        {
            var (a, b) = (first.Gpus[i], second.Gpus[i]);
            Assert.Equal(400.0, b.PowerWatts);
            // Piecewise constant: the averages lie between the two values held, whatever the scheduling delays were.
            var joules = b.EnergyJoules!.Value - a.EnergyJoules!.Value;
            Assert.InRange(joules, 200.0 * seconds * 0.5, 400.0 * seconds * 1.5);
            Assert.InRange(b.DramActiveRatio!.Value, 0.125, 0.625);
            Assert.True(b.DramActiveRatio > 0.125 && b.DramActiveRatio < 0.625, "DRAM ratio should mix both values");
            Assert.Equal(0.70, b.SmActiveRatio!.Value, 6);
            Assert.Equal(0.90, b.GraphicsActiveRatio!.Value, 6);
            Assert.True(b.NvlinkTxBytes > a.NvlinkTxBytes, "NVLink tx counter should integrate its rate");
            Assert.Equal(a.NvlinkRxBytes, b.NvlinkRxBytes);
        }
    }

    [Fact]
    public async Task A_read_within_100_ms_takes_no_gpm_sample_and_repeats_the_last_ratios()
    {
        // nvml.h: samples must be more than 100 ms apart (on Hopper closer ones give invalid values; the stand-in
        // refuses them). The source's clock moves only by hand, so "exactly 100 ms" is exact; the stand-in's clock
        // moves as much plus the real time the test takes, so it always sees the longer interval.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        void Elapse(int milliseconds)
        {
            clock.Advance(TimeSpan.FromMilliseconds(milliseconds));
            NvmlStandIn.Elapse(TimeSpan.FromMilliseconds(milliseconds));
        }

        NvmlStandIn.SetValue(0, "tensor_util", 12);
        await using var source = NewSource(clock);
        await source.ReadAsync();
        Elapse(150);
        var measured = await source.ReadAsync();
        Assert.Equal(0.12, measured.Gpus[0].TensorActiveRatio!.Value, 6);
        var samples = NvmlStandIn.CallCount("nvmlGpmSampleGet");

        NvmlStandIn.SetValue(0, "tensor_util", 80);
        Elapse(100);
        var tooSoon = await source.ReadAsync();

        Assert.Equal(samples, NvmlStandIn.CallCount("nvmlGpmSampleGet"));
        Assert.Empty(tooSoon.Warnings);
        Assert.Equal(["xidErrors"], tooSoon.MissingFields);
        Assert.Equal(0.12, tooSoon.Gpus[0].TensorActiveRatio!.Value, 6);

        Elapse(1);
        var next = await source.ReadAsync();
        Assert.Equal(samples + 8, NvmlStandIn.CallCount("nvmlGpmSampleGet"));
        Assert.Empty(next.Warnings);
        Assert.InRange(next.Gpus[0].TensorActiveRatio!.Value, 0.12, 0.80); // the interval since the last sample mixes both
        Assert.True(next.Gpus[0].TensorActiveRatio > 0.5, "most of the interval ran at 80 %");
    }

    [Fact]
    public async Task Device_without_gpm_leaves_the_ratios_null_and_listed()
    {
        NvmlStandIn.SetValue(2, "gpm_supported", 0);
        await using var source = NewSource();

        await source.ReadAsync();
        var second = await ReadAfterGpmInterval(source);

        Assert.Empty(second.Warnings);
        foreach (var field in GpmFields)
        {
            Assert.Contains(field, second.MissingFields);
        }

        var gpu2 = second.Gpus[2];
        Assert.True(gpu2.SmActiveRatio is null && gpu2.SmOccupancyRatio is null && gpu2.TensorActiveRatio is null && gpu2.DramActiveRatio is null);
        Assert.Equal(0.12, gpu2.GraphicsActiveRatio!.Value, 12);
        Assert.All(second.Gpus.Where(g => g.Index != 2), g => Assert.NotNull(g.SmActiveRatio));
        Assert.Equal(14, NvmlStandIn.CallCount("nvmlGpmSampleAlloc")); // 7 GPUs x 2 samples
        Assert.Equal(14, NvmlStandIn.CallCount("nvmlGpmSampleGet")); // 7 GPM-capable GPUs x 2 reads
        Assert.Equal(8, NvmlStandIn.CallCount("nvmlGpmQueryDeviceSupport"));
    }

    [Fact]
    public async Task Gpm_errors_leave_ratios_null_and_dispose_frees_the_samples()
    {
        var liveBefore = NvmlStandIn.GpmLiveSamples;
        var source = NewSource();
        await source.ReadAsync();
        Assert.Equal(liveBefore + 16, NvmlStandIn.GpmLiveSamples);

        // One metric not supported: that ratio only is null and listed, without a warning.
        NvmlStandIn.InjectError("nvmlGpmMetricsGet:5", 1, NvmlErrorNotSupported, calls: 1);
        var partial = await ReadAfterGpmInterval(source);
        Assert.Empty(partial.Warnings);
        Assert.Null(partial.Gpus[1].TensorActiveRatio);
        Assert.NotNull(partial.Gpus[1].SmActiveRatio);
        Assert.NotNull(partial.Gpus[0].TensorActiveRatio);
        Assert.Contains("tensorActiveRatio", partial.MissingFields);

        // A failed sample: all four null with one warning, then a fresh first sample, then values again.
        NvmlStandIn.InjectError("nvmlGpmSampleGet", 3, 999, calls: 1);
        var failed = await ReadAfterGpmInterval(source);
        Assert.Single(failed.Warnings, w => w.StartsWith("GPU 3: nvmlGpmSampleGet", StringComparison.Ordinal));
        Assert.Null(failed.Gpus[3].DramActiveRatio);
        var restart = await ReadAfterGpmInterval(source);
        Assert.Empty(restart.Warnings);
        Assert.Null(restart.Gpus[3].DramActiveRatio);
        Assert.NotNull(restart.Gpus[4].DramActiveRatio);
        var again = await ReadAfterGpmInterval(source);
        Assert.NotNull(again.Gpus[3].DramActiveRatio);

        await source.DisposeAsync();
        Assert.Equal(liveBefore, NvmlStandIn.GpmLiveSamples);
        Assert.Equal(16, NvmlStandIn.CallCount("nvmlGpmSampleFree"));
        Assert.Equal(0, NvmlStandIn.InitCount);
    }
}
