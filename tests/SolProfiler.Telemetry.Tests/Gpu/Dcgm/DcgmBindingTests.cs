using SolProfiler.Telemetry.Gpu.Dcgm;
using SolProfiler.Telemetry.Tests.Gpu.Nvml;

namespace SolProfiler.Telemetry.Tests.Gpu.Dcgm;

[Collection(NvmlStandInGroup.Name)]
public sealed class DcgmBindingTests
{
    public DcgmBindingTests()
    {
        DcgmStandIn.Reset();
    }

    [Fact]
    public void Struct_sizes_and_version_words_match_the_c_layouts()
    {
        DcgmLayout.Verify(); // every size and offset, through NativeLayout (NativeLayoutTests checks its failures)
        Assert.Equal(0x01001018u, DcgmFieldValueV1.VersionWord);
        Assert.Equal(0x02001020u, DcgmFieldValueV2.VersionWord);
        Assert.Equal(0x02000050u, DcgmStartEmbeddedParamsV2.VersionWord);
        Assert.Equal(0x02000010u, DcgmConnectParamsV2.VersionWord);
    }

    [Fact]
    public void Start_embedded_refuses_a_wrong_params_version_and_accepts_v2()
    {
        Assert.True(DcgmLibrary.TryLoad(DcgmStandIn.LibraryPath, out var error), error);

        // v2's version number with v1's size, and a size with no version number: both refused, nothing left initialised.
        foreach (var wrong in new[] { 72u | (2u << 24), 80u })
        {
            var (session, call, code) = DcgmSessionHandle.Open(null, TimeSpan.FromSeconds(1), wrong);
            Assert.Null(session);
            Assert.Equal("dcgmStartEmbedded_v2", call);
            Assert.Equal(DcgmReturn.VersionMismatch, code);
            Assert.Equal("API version mismatch", DcgmLibrary.ErrorString(code));
            Assert.Equal(0, DcgmStandIn.LiveObjects);
        }

        var opened = DcgmSessionHandle.Open(null, TimeSpan.FromSeconds(1));
        Assert.Equal(DcgmReturn.Ok, opened.Code);
        using (var session = opened.Session!)
        {
            Assert.Equal((nuint)0x7fffffff, session.Value);
            Assert.Equal(2, DcgmStandIn.LiveObjects); // one dcgmInit + the embedded engine
        }

        Assert.Equal(0, DcgmStandIn.LiveObjects);
        Assert.Equal(1, DcgmStandIn.CallCount("dcgmStopEmbedded"));
    }

    [Fact]
    public void Connect_and_disconnect_release_everything()
    {
        Assert.True(DcgmLibrary.TryLoad(DcgmStandIn.LibraryPath, out var error), error);
        var opened = DcgmSessionHandle.Open("127.0.0.1:5555", TimeSpan.FromSeconds(1));
        Assert.Equal(DcgmReturn.Ok, opened.Code);
        opened.Session!.Dispose();
        Assert.Equal(0, DcgmStandIn.LiveObjects);
        Assert.Equal(1, DcgmStandIn.CallCount("dcgmDisconnect"));
        Assert.Equal(1, DcgmStandIn.CallCount("dcgmShutdown"));
    }

    [Fact]
    public void Library_candidates_follow_explicit_path_then_environment_then_sonames()
    {
        var saved = Environment.GetEnvironmentVariable(DcgmLibrary.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(DcgmLibrary.EnvironmentVariable, null);
            Assert.Equal(["libdcgm.so.4", "libdcgm.so.3"], DcgmLibrary.CandidatePaths(null));
            Assert.Equal(["/x/libdcgm.so"], DcgmLibrary.CandidatePaths("/x/libdcgm.so"));
            Environment.SetEnvironmentVariable(DcgmLibrary.EnvironmentVariable, "/env/libdcgm.so.4");
            Assert.Equal(["/env/libdcgm.so.4"], DcgmLibrary.CandidatePaths(null));
            Assert.Equal(["/x/libdcgm.so"], DcgmLibrary.CandidatePaths("/x/libdcgm.so"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(DcgmLibrary.EnvironmentVariable, saved);
        }
    }

    [Fact]
    public void Latest_values_callback_delivers_v1_records_per_gpu()
    {
        Assert.True(DcgmLibrary.TryLoad(DcgmStandIn.LibraryPath, out var error), error);
        DcgmStandIn.SetGpuCount(3);
        DcgmStandIn.SetDouble(2, 155, 312.5);
        var opened = DcgmSessionHandle.Open(null, TimeSpan.FromSeconds(1));
        Assert.Equal(DcgmReturn.Ok, opened.Code);
        using var session = opened.Session!;
        var h = session.Value;
        const nuint AllGpus = 0x7fffffff;
        ushort[] fields = [155, 156];
        Assert.Equal(DcgmReturn.Ok, DcgmNative.FieldGroupCreate(h, fields.Length, ref fields[0], "callback-test", out var fieldGroup));
        Assert.Equal(DcgmReturn.Ok, DcgmNative.WatchFields(h, AllGpus, fieldGroup, 1_000_000, 2.0, 0));

        var entries = new List<DcgmCallbackReader.Entry>();
        Assert.Equal(DcgmReturn.Ok, DcgmCallbackReader.LatestValues(h, AllGpus, fieldGroup, entries));

        Assert.Equal(6, entries.Count);
        Assert.All(entries, e => Assert.Equal(DcgmFieldValueV1.VersionWord, e.Value.Version));
        Assert.All(entries, e => Assert.Equal(DcgmReturn.Ok, e.Value.Status));
        Assert.All(entries, e => Assert.Equal(1u, e.EntityGroupId));
        var power2 = Assert.Single(entries, e => e.EntityId == 2 && e.Value.FieldId == 155);
        Assert.Equal('d', (char)power2.Value.FieldType);
        Assert.Equal(312.5, power2.Value.Double);
        var energy1 = Assert.Single(entries, e => e.EntityId == 1 && e.Value.FieldId == 156);
        Assert.Equal('i', (char)energy1.Value.FieldType);
        Assert.Equal(1_001_000_000L, energy1.Value.Int64);
        Assert.Equal(DcgmReturn.Ok, DcgmNative.UnwatchFields(h, AllGpus, fieldGroup));
        Assert.Equal(DcgmReturn.Ok, DcgmNative.FieldGroupDestroy(h, fieldGroup));
    }
}
