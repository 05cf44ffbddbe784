using System.Globalization;
using System.Runtime.CompilerServices;
using SolProfiler.Telemetry.Gpu.Nvml;

namespace SolProfiler.Telemetry.Tests.Gpu.Nvml;

[Collection(NvmlStandInGroup.Name)]
public sealed class NvmlBindingTests
{
    public NvmlBindingTests()
    {
        NvmlStandIn.Reset();
    }

    [Fact]
    public void Struct_sizes_match_the_c_layouts()
    {
        NvmlLayout.Verify(); // every size and offset, through NativeLayout (NativeLayoutTests checks its failures)
        // Verify derives this one from MetricMax; the literal pins the 333-slot array, as the stand-in's _Static_assert does.
        Assert.Equal(13344, Unsafe.SizeOf<NvmlGpmMetricsGet>());
        Assert.Equal(0x02000028u, NvmlMemoryV2.VersionWord);
        Assert.Equal(1u, NvmlGpmSupport.VersionWord);
        Assert.Equal(1u, NvmlGpmMetricsGet.VersionWord);
    }

    [Fact]
    public void Gpm_calls_refuse_a_wrong_struct_version()
    {
        Assert.True(NvmlLibrary.TryLoad(NvmlStandIn.LibraryPath, out var error), error);
        Assert.True(NvmlDevice.HasGpm);
        using var session = NvmlSessionHandle.Open().Value;
        var device = NvmlDevice.HandleByIndex(0).Value;
        var liveBefore = NvmlStandIn.GpmLiveSamples;

        Assert.Equal(NvmlReturn.ArgumentVersionMismatch, NvmlDevice.GpmSupported(device, version: 2).Code);
        Assert.Equal(NvmlReturn.ArgumentVersionMismatch, NvmlDevice.GpmSupported(device, version: 8u | (1u << 24)).Code);
        var supported = NvmlDevice.GpmSupported(device);
        Assert.True(supported.IsSuccess);
        Assert.True(supported.Value);

        var older = NvmlDevice.GpmSampleAlloc().Value;
        var newer = NvmlDevice.GpmSampleAlloc().Value;
        Assert.Equal(liveBefore + 2, NvmlStandIn.GpmLiveSamples);
        try
        {
            NvmlStandIn.SetValue(0, "util_gpu", 70);
            Assert.Equal(NvmlReturn.Success, NvmlDevice.GpmSampleGet(device, older));
            NvmlStandIn.Elapse(TimeSpan.FromMilliseconds(50));
            Assert.Equal(NvmlReturn.Success, NvmlDevice.GpmSampleGet(device, newer));
            uint[] sm = [NvmlGpmMetricId.SmUtil];
            Assert.Equal(NvmlReturn.InvalidArgument, NvmlDevice.GpmMetrics(older, newer, sm, new NvmlGpmMetric[1])); // 50 ms apart: refused
            NvmlStandIn.Elapse(TimeSpan.FromMilliseconds(100));
            Assert.Equal(NvmlReturn.Success, NvmlDevice.GpmSampleGet(device, newer));

            uint[] ids = [NvmlGpmMetricId.SmUtil, 999];
            var results = new NvmlGpmMetric[2];
            Assert.Equal(NvmlReturn.ArgumentVersionMismatch, NvmlDevice.GpmMetrics(older, newer, ids, results, version: 2));
            Assert.Equal(NvmlReturn.ArgumentVersionMismatch, NvmlDevice.GpmMetrics(older, newer, ids, results, version: 13344u | (1u << 24)));
            Assert.Equal(NvmlReturn.InvalidArgument, NvmlDevice.GpmMetrics(newer, newer, ids, results));
            Assert.Equal(NvmlReturn.Success, NvmlDevice.GpmMetrics(older, newer, ids, results));
            Assert.Equal(NvmlReturn.Success, results[0].Return);
            Assert.Equal(70.0, results[0].Value, 6);
            Assert.Equal("%", System.Runtime.InteropServices.Marshal.PtrToStringUTF8(results[0].Unit));
            Assert.Equal(NvmlReturn.InvalidArgument, results[1].Return);
        }
        finally
        {
            Assert.Equal(NvmlReturn.Success, NvmlDevice.GpmSampleFree(older));
            Assert.Equal(NvmlReturn.Success, NvmlDevice.GpmSampleFree(newer));
        }

        Assert.Equal(liveBefore, NvmlStandIn.GpmLiveSamples);
        Assert.Equal(NvmlReturn.InvalidArgument, NvmlDevice.GpmSampleFree(older));
    }

    [Fact]
    public void Memory_info_v2_refuses_a_wrong_version_word()
    {
        Assert.True(NvmlLibrary.TryLoad(NvmlStandIn.LibraryPath, out var error), error);
        var session = NvmlSessionHandle.Open();
        Assert.True(session.IsSuccess);
        using var handle = session.Value;
        var device = NvmlDevice.HandleByIndex(0);
        Assert.True(device.IsSuccess);

        var wrong = NvmlDevice.MemoryV2(device.Value, version: 0x01000028);
        var v1Size = NvmlDevice.MemoryV2(device.Value, version: 24u | (2u << 24));
        var right = NvmlDevice.MemoryV2(device.Value);
        var v1 = NvmlDevice.MemoryV1(device.Value);

        Assert.Equal(NvmlReturn.ArgumentVersionMismatch, wrong.Code);
        Assert.Equal(NvmlReturn.ArgumentVersionMismatch, v1Size.Code);
        Assert.True(right.IsSuccess);
        Assert.Equal(85520809984ul, right.Value.Total);
        Assert.Equal(right.Value.Total, right.Value.Free + right.Value.Used + right.Value.Reserved);
        Assert.True(v1.IsSuccess);
        Assert.Equal(right.Value.Used + right.Value.Reserved, v1.Value.Used);
        Assert.Equal("Argument version mismatch", NvmlLibrary.ErrorString(NvmlReturn.ArgumentVersionMismatch));
    }

    [Fact]
    public void Calls_before_init_return_uninitialized()
    {
        Assert.True(NvmlLibrary.TryLoad(NvmlStandIn.LibraryPath, out var error), error);
        Assert.Equal(NvmlReturn.Uninitialized, NvmlDevice.Count().Code);
        Assert.Equal(NvmlReturn.Uninitialized, NvmlDevice.HandleByIndex(0).Code);
        Assert.Equal(NvmlReturn.Uninitialized, NvmlNative.Shutdown());
    }

    [Fact]
    public void Small_string_buffer_is_reported_not_overrun()
    {
        Assert.True(NvmlLibrary.TryLoad(NvmlStandIn.LibraryPath, out var error), error);
        using var session = NvmlSessionHandle.Open().Value;
        var device = NvmlDevice.HandleByIndex(0).Value;
        Span<byte> small = stackalloc byte[8];
        small.Fill(0xAA);
        var r = NvmlNative.DeviceGetName(device, ref small[0], (uint)small.Length);
        Assert.Equal(NvmlReturn.InsufficientSize, r);
        Assert.Equal(NvmlReturn.InsufficientSize, NvmlNative.DeviceGetName(device, ref small[0], 0));
        Assert.All(small.ToArray(), b => Assert.Equal(0xAA, b));
    }

    [Fact]
    public async Task Open_read_close_ten_thousand_times_keeps_memory_flat()
    {
        var options = new NvmlGpuSourceOptions { LibraryPath = NvmlStandIn.LibraryPath, TimeProvider = NvmlStandIn.Clock };
        var liveSamples = NvmlStandIn.GpmLiveSamples;
        for (var i = 0; i < 200; i++)
        {
            await Cycle(options);
        }

        var managedBefore = GC.GetTotalMemory(forceFullCollection: true);
        var rssBefore = VmRssBytes();
        for (var i = 0; i < 10_000; i++)
        {
            await Cycle(options);
        }

        var managedAfter = GC.GetTotalMemory(forceFullCollection: true);
        var rssAfter = VmRssBytes();

        Assert.Equal(0, NvmlStandIn.InitCount);
        Assert.Equal(10_200, NvmlStandIn.CallCount("nvmlShutdown"));
        Assert.Equal(liveSamples, NvmlStandIn.GpmLiveSamples);
        Assert.Equal(10_200 * 16, NvmlStandIn.CallCount("nvmlGpmSampleAlloc"));
        Assert.Equal(10_200 * 16, NvmlStandIn.CallCount("nvmlGpmSampleFree"));
        Assert.True(managedAfter - managedBefore < 2L * 1024 * 1024, $"managed heap grew {managedAfter - managedBefore} bytes");
        Assert.True(rssAfter - rssBefore < 48L * 1024 * 1024, $"VmRSS grew {rssAfter - rssBefore} bytes");

        static async Task Cycle(NvmlGpuSourceOptions options)
        {
            var source = new NvmlGpuSource(options);
            var snapshot = await source.ReadAsync();
            Assert.Equal(8, snapshot.Gpus.Count);
            NvmlStandIn.Elapse(TimeSpan.FromMilliseconds(150)); // GPM samples must be more than 100 ms apart
            var second = await source.ReadAsync();
            Assert.NotNull(second.Gpus[7].TensorActiveRatio);
            await source.DisposeAsync();
        }
    }

    private static long VmRssBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
