using Microsoft.Extensions.Time.Testing;
using SolProfiler.Telemetry.Gpu.Dcgm;
using SolProfiler.Telemetry.Gpu.Nvml;
using SolProfiler.Telemetry.Tests.Gpu.Nvml;

namespace SolProfiler.Telemetry.Tests.Gpu.Dcgm;

[Collection(NvmlStandInGroup.Name)]
public sealed class DcgmGpuSourceTests
{
    private const int ModuleNotLoaded = -33;
    private const int RequiresRoot = -29;
    private const double MiB = 1024.0 * 1024.0;

    private static readonly string[] ProfilingMissing =
        ["smActiveRatio", "smOccupancyRatio", "tensorActiveRatio", "dramActiveRatio", "nvlinkTxBytes", "nvlinkRxBytes", "pcieTxBytes", "pcieRxBytes"];

    public DcgmGpuSourceTests()
    {
        DcgmStandIn.Reset();
    }

    private static DcgmGpuSource NewSource(TimeProvider? time = null, string? hostEngine = null, string? library = null) =>
        new(new DcgmGpuSourceOptions
        {
            LibraryPath = library ?? DcgmStandIn.LibraryPath,
            HostEngineAddress = hostEngine,
            TimeProvider = time ?? TimeProvider.System,
        });

    [Fact]
    public async Task Reads_eight_gpus_with_every_field_type_marshalled()
    {
        DcgmStandIn.SetInt64(3, 155, 250);                        // power as int64 instead of double
        DcgmStandIn.SetDouble(4, 156, 2_000_000_500.0);           // energy (mJ) as double instead of int64
        DcgmStandIn.SetString(5, 50, "NVIDIA H100 NVL");          // string
        DcgmStandIn.SetBlank(6, 140, kind: 2);                    // int64 NOT_SUPPORTED sentinel
        DcgmStandIn.SetBlank(7, 155);                             // double BLANK sentinel
        DcgmStandIn.SetBlank(7, 57, kind: 3);                     // string NOT_PERMISSIONED sentinel
        DcgmStandIn.SetInt64(2, 156, 0x7ffffff2);                 // energy 2,147,483,634 mJ (36 min at 1 kW): an int64 value, not the int32 sentinel
        DcgmStandIn.SetBlank(DcgmStandIn.AllGpus, 230);           // XID blank everywhere -> listed as missing
        DcgmStandIn.SetInt64(1, 112, 0x4 | 0x40 | 0x1000);        // clock event reasons

        await using var source = NewSource();
        var snapshot = await source.ReadAsync();

        Assert.False(snapshot.Down, snapshot.DownReason);
        Assert.Equal("dcgm", snapshot.Backend);
        Assert.Empty(snapshot.Warnings);
        Assert.True(source.ProfilingWatched);
        Assert.Equal(["xidErrors"], snapshot.MissingFields);
        Assert.Equal(8, snapshot.Gpus.Count);

        string[] buses = ["18", "2A", "3A", "5D", "9A", "AB", "BA", "DB"];
        for (var i = 0; i < 8; i++)
        {
            var gpu = snapshot.Gpus[i];
            Assert.Equal(i, gpu.Index);
            Assert.Equal(i == 5 ? "NVIDIA H100 NVL" : "NVIDIA H100 80GB HBM3", gpu.Name);
            Assert.Equal($"GPU-5017f0f1-0000-4000-8000-{i:x12}", gpu.Uuid);
            Assert.Equal(i == 7 ? null : $"00000000:{buses[i]}:00.0", gpu.PciBusId);
            Assert.Equal(i switch { 3 => 250.0, 7 => null, _ => 100.0 + i }, gpu.PowerWatts);
            Assert.Equal(i switch { 2 => 2_147_483.634, 4 => 2_000_000.5, _ => 1.0e6 + (1.0e3 * i) }, gpu.EnergyJoules!.Value, 6);
            Assert.Equal(700.0, gpu.PowerLimitWatts);
            Assert.Equal(1.98e9, gpu.SmClockHz);
            Assert.Equal(2.619e9, gpu.MemClockHz);
            Assert.Equal(40.0 + i, gpu.GpuTemperatureCelsius);
            Assert.Equal(i == 6 ? null : 50.0 + i, gpu.MemoryTemperatureCelsius);
            Assert.Equal(85520809984.0, gpu.MemoryTotalBytes);
            Assert.Equal(1024.0 * (1 + i) * MiB, gpu.MemoryUsedBytes);
            Assert.Equal(0.50 + (0.01 * i), gpu.GraphicsActiveRatio!.Value, 12);
            Assert.Equal(0.40 + (0.01 * i), gpu.SmActiveRatio!.Value, 12);
            Assert.Equal(0.30 + (0.01 * i), gpu.SmOccupancyRatio!.Value, 12);
            Assert.Equal(0.20 + (0.01 * i), gpu.TensorActiveRatio!.Value, 12);
            Assert.Equal(0.10 + (0.01 * i), gpu.DramActiveRatio!.Value, 12);
            Assert.Equal(1.0e6 * (i + 1), gpu.PcieTxBytesPerSecond);
            Assert.Equal(2.0e6 * (i + 1), gpu.PcieRxBytesPerSecond);
            Assert.Equal(3.0e6 * (i + 1), gpu.NvlinkTxBytesPerSecond);
            Assert.Equal(4.0e6 * (i + 1), gpu.NvlinkRxBytesPerSecond);
            Assert.Null(gpu.PcieTxBytes);
            Assert.Null(gpu.NvlinkTxBytes);
            Assert.Null(gpu.XidErrors);
            Assert.Equal(i == 1 ? ["sw_power_cap", "hw_thermal", "unknown_0x1000"] : [], gpu.ThrottleReasons!);
        }
    }

    [Fact]
    public async Task Dispose_releases_watches_groups_and_the_engine()
    {
        var source = NewSource();
        Assert.False((await source.ReadAsync()).Down);
        Assert.True(source.IsOpen);
        Assert.Equal(5, DcgmStandIn.LiveObjects); // init + engine + group + field group + watch
        await source.DisposeAsync();
        Assert.False(source.IsOpen);
        Assert.Equal(0, DcgmStandIn.LiveObjects);
        Assert.Equal(1, DcgmStandIn.CallCount("dcgmUnwatchFields"));
        Assert.Equal(1, DcgmStandIn.CallCount("dcgmFieldGroupDestroy"));
        Assert.Equal(1, DcgmStandIn.CallCount("dcgmGroupDestroy"));
        Assert.True((await source.ReadAsync()).Down);
    }

    [Theory]
    [InlineData("dcgmInit", -7, "DCGM initialization error")]
    [InlineData("dcgmStartEmbedded_v2", -8, "NVML error")]
    [InlineData("dcgmGetAllSupportedDevices", -10, "Object is in an undefined state")]
    [InlineData("dcgmGroupCreate", -24, "Max limit reached for the object")]
    [InlineData("dcgmFieldGroupCreate", -26, "Duplicate key passed to function")]
    [InlineData("dcgmWatchFields", -3, "Generic unspecified error")]
    [InlineData("dcgmUpdateAllFields", -11, "Timeout")]
    [InlineData("dcgmEntitiesGetLatestValues", -18, "GPU is lost")]
    public async Task Each_injected_error_gives_a_down_snapshot_leaks_nothing_and_recovers(string function, int code, string text)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        DcgmStandIn.InjectError(function, code, calls: 1);
        await using var source = NewSource(time);

        var down = await source.ReadAsync();

        Assert.True(down.Down);
        Assert.Contains(function, down.DownReason, StringComparison.Ordinal);
        Assert.Contains(text, down.DownReason, StringComparison.Ordinal);
        Assert.Contains($"DCGM_ST {code}", down.DownReason, StringComparison.Ordinal);
        Assert.Empty(down.Gpus);
        Assert.Contains("powerWatts", down.MissingFields);
        Assert.Equal(0, DcgmStandIn.LiveObjects);
        Assert.False(source.IsOpen);

        time.Advance(TimeSpan.FromSeconds(1));
        var up = await source.ReadAsync();
        Assert.False(up.Down, up.DownReason);
        Assert.Equal(8, up.Gpus.Count);
    }

    [Theory]
    [InlineData(ModuleNotLoaded, "module of DCGM that is not currently loaded")]
    [InlineData(RequiresRoot, "Host engine is running as non-root")]
    public async Task Refused_profiling_keeps_device_fields_and_lists_the_missing_ones(int code, string why)
    {
        DcgmStandIn.RefuseProfiling(code);
        await using var source = NewSource();

        var snapshot = await source.ReadAsync();

        Assert.False(snapshot.Down, snapshot.DownReason);
        Assert.False(source.ProfilingWatched);
        Assert.Equal(ProfilingMissing, snapshot.MissingFields);
        var warning = Assert.Single(snapshot.Warnings);
        Assert.Contains(why, warning, StringComparison.Ordinal);
        Assert.Contains("dcgmWatchFields", warning, StringComparison.Ordinal);
        Assert.Equal(8, snapshot.Gpus.Count);
        for (var i = 0; i < 8; i++)
        {
            var gpu = snapshot.Gpus[i];
            Assert.Equal(100.0 + i, gpu.PowerWatts);
            Assert.Equal(1.98e9, gpu.SmClockHz);
            Assert.Equal((10.0 + i) / 100.0, gpu.GraphicsActiveRatio!.Value, 12); // DCGM_FI_DEV_GPU_UTIL fallback
            Assert.Null(gpu.SmActiveRatio);
            Assert.Null(gpu.PcieTxBytesPerSecond);
        }

        Assert.Equal(2, DcgmStandIn.CallCount("dcgmFieldGroupCreate"));
        Assert.Equal(2, DcgmStandIn.CallCount("dcgmWatchFields"));
        await source.DisposeAsync();
        Assert.Equal(0, DcgmStandIn.LiveObjects);
    }

    [Fact]
    public async Task Nvml_and_dcgm_name_the_clock_event_reasons_alike()
    {
        // Bit 0x2 is nvmlClocksEventReasonApplicationsClocksSetting in NVML and DCGM_CLOCKS_EVENT_REASON_CLOCKS_SETTING
        // in DCGM: one bit, so one label, whichever backend read it.
        const ulong mask = 0x2 | 0x4;
        NvmlStandIn.Reset();
        NvmlStandIn.SetValue(0, "clocks_event_reasons", (long)mask);
        DcgmStandIn.SetInt64(0, 112, (long)mask);
        await using var nvml = new NvmlGpuSource(new NvmlGpuSourceOptions { LibraryPath = NvmlStandIn.LibraryPath });
        await using var dcgm = NewSource();

        var fromNvml = (await nvml.ReadAsync()).Gpus[0].ThrottleReasons;
        var fromDcgm = (await dcgm.ReadAsync()).Gpus[0].ThrottleReasons;
        Assert.Equal(["applications_clocks_setting", "sw_power_cap"], fromNvml!);
        Assert.Equal(fromNvml, fromDcgm!);
        NvmlStandIn.Reset();
    }

    [Fact]
    public async Task The_embedded_engine_logs_at_its_default_severity()
    {
        // dcgmStartEmbeddedV2Params severity 0 is DcgmLoggingSeverityNone (logging off); the stock dcgmStartEmbedded
        // passes -1, DcgmLoggingSeverityUnspecified, so the engine logs at its default.
        await using var source = NewSource();
        var snapshot = await source.ReadAsync();
        Assert.False(snapshot.Down, snapshot.DownReason);
        Assert.Equal(-1, DcgmStandIn.LastEmbeddedSeverity);
    }

    [Fact]
    public async Task A_host_engine_socket_path_is_dialled_as_a_unix_socket()
    {
        // nv-hostengine --domain-socket /run/nvidia-dcgm/nv-hostengine.sock: dcgmConnect_v2 needs addressIsUnixSocket,
        // or the real library (and the stand-in, which behaves the same) dials the path as a TCP host and fails.
        await using var source = NewSource(hostEngine: "/run/nvidia-dcgm/nv-hostengine.sock");
        var snapshot = await source.ReadAsync();
        Assert.False(snapshot.Down, snapshot.DownReason);
        Assert.Equal(8, snapshot.Gpus.Count);
        Assert.Equal(1, DcgmStandIn.CallCount("dcgmConnect_v2"));
    }

    [Fact]
    public async Task Unreachable_host_engine_is_down_then_reconnects_with_backoff()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(start);
        DcgmStandIn.SetHostEngineReachable(false);
        await using var source = NewSource(time, hostEngine: "127.0.0.1:5555");

        // Attempts at 0, 1, 3, 7, 15, 31, 61, 91 s: the wait doubles from 1 s and stops growing at 30 s.
        double[] attempts = [0, 1, 3, 7, 15, 31, 61, 91];
        for (var a = 0; a < attempts.Length; a++)
        {
            time.SetUtcNow(start + TimeSpan.FromSeconds(attempts[a]));
            var down = await source.ReadAsync();
            Assert.True(down.Down);
            Assert.Contains("host engine 127.0.0.1:5555 unreachable", down.DownReason, StringComparison.Ordinal);
            Assert.Contains("Host engine connection invalid/disconnected", down.DownReason, StringComparison.Ordinal);
            Assert.Equal(a + 1, DcgmStandIn.CallCount("dcgmConnect_v2"));

            if (a + 1 < attempts.Length)
            {
                time.SetUtcNow(start + TimeSpan.FromSeconds(attempts[a + 1] - 0.5)); // too early: no new attempt
                var waiting = await source.ReadAsync();
                Assert.True(waiting.Down);
                Assert.Contains("next attempt in 0.5 s", waiting.DownReason, StringComparison.Ordinal);
                Assert.Equal(a + 1, DcgmStandIn.CallCount("dcgmConnect_v2"));
            }
        }

        Assert.Equal(0, DcgmStandIn.LiveObjects);
        DcgmStandIn.SetHostEngineReachable(true);
        time.SetUtcNow(start + TimeSpan.FromSeconds(121));
        var up = await source.ReadAsync();
        Assert.False(up.Down, up.DownReason);
        Assert.Equal(8, up.Gpus.Count);
        Assert.True(source.IsOpen);
    }

    [Fact]
    public async Task Dropped_connection_is_down_and_the_next_read_after_one_second_reconnects()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var source = NewSource(time, hostEngine: "localhost");
        Assert.False((await source.ReadAsync()).Down);

        DcgmStandIn.DropConnections();
        var down = await source.ReadAsync();
        Assert.True(down.Down);
        Assert.Contains("host engine connection lost", down.DownReason, StringComparison.Ordinal);
        Assert.Contains("DCGM_ST -21", down.DownReason, StringComparison.Ordinal);
        Assert.False(source.IsOpen);
        Assert.Equal(0, DcgmStandIn.LiveObjects); // disconnect releases a dropped connection's objects too

        time.Advance(TimeSpan.FromSeconds(1));
        var up = await source.ReadAsync();
        Assert.False(up.Down, up.DownReason);
        Assert.Equal(2, DcgmStandIn.CallCount("dcgmConnect_v2"));
    }

    [Fact]
    public async Task Absent_library_is_down_with_the_paths_tried()
    {
        await using var source = NewSource(library: "/nonexistent/solprof/libdcgm.so.4");
        var snapshot = await source.ReadAsync();
        Assert.True(snapshot.Down);
        Assert.Contains("libdcgm not found", snapshot.DownReason, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/solprof/libdcgm.so.4", snapshot.DownReason, StringComparison.Ordinal);
        Assert.Empty(snapshot.Gpus);
    }

    [Fact]
    public async Task Nvml_and_dcgm_bindings_share_the_resolver_in_one_process()
    {
        NvmlStandIn.Reset();
        await using var nvml = new NvmlGpuSource(new NvmlGpuSourceOptions { LibraryPath = NvmlStandIn.LibraryPath });
        await using var dcgm = NewSource();
        var a = await nvml.ReadAsync();
        var b = await dcgm.ReadAsync();
        var c = await nvml.ReadAsync();
        Assert.False(a.Down, a.DownReason);
        Assert.False(b.Down, b.DownReason);
        Assert.False(c.Down, c.DownReason);
        Assert.Equal(8, b.Gpus.Count);
    }

    [Fact]
    public async Task Open_and_close_two_thousand_times_keeps_memory_flat()
    {
        for (var i = 0; i < 200; i++)
        {
            await OpenReadClose(null);
        }

        // Process-wide numbers move with the tests of other collections running beside this one, so the bounds are
        // coarse; one source's read buffer is ~800 KB (8 GPUs x 24 fields x 4128 B), so a leaked source would
        // add ~1.6 GB over 2,000 rounds. The exact checks are the stand-in's object count and the weak references.
        var before = Measure();
        var sources = new List<WeakReference>();
        for (var i = 0; i < 2000; i++)
        {
            await OpenReadClose(i % 100 == 0 ? sources : null);
            Assert.Equal(0, DcgmStandIn.LiveObjects);
        }

        var after = Measure();
        Assert.Equal(2200, DcgmStandIn.CallCount("dcgmStopEmbedded"));
        Assert.Equal(2200, DcgmStandIn.CallCount("dcgmShutdown"));
        Assert.All(sources, w => Assert.False(w.IsAlive));
        Assert.True(after.Managed - before.Managed < 32 * 1024 * 1024, $"managed heap grew {after.Managed - before.Managed} bytes");
        Assert.True(after.WorkingSet - before.WorkingSet < 256 * 1024 * 1024, $"working set grew {after.WorkingSet - before.WorkingSet} bytes");

        static async Task OpenReadClose(List<WeakReference>? track)
        {
            await using var source = NewSource();
            var snapshot = await source.ReadAsync();
            Assert.False(snapshot.Down, snapshot.DownReason);
            track?.Add(new WeakReference(source));
        }

        static (long Managed, long WorkingSet) Measure()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return (GC.GetTotalMemory(forceFullCollection: true), Environment.WorkingSet);
        }
    }
}
