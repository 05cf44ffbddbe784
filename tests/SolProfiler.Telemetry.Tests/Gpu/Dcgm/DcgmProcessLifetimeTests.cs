using SolProfiler.Telemetry.Gpu.Dcgm;
using SolProfiler.Telemetry.Tests.Gpu.Nvml;

namespace SolProfiler.Telemetry.Tests.Gpu.Dcgm;

/// <summary>
/// DCGM's process-wide lifetime as the real library has it (DCGM 4.6.0, dcgmlib/src/DcgmApi.cpp): dcgmInit counts
/// nothing, the first dcgmShutdown ends every session, a second start-embedded returns OK without writing the handle.
/// The first two tests pin the stand-in to that behaviour; the others show two sessions in one process surviving it.
/// </summary>
[Collection(NvmlStandInGroup.Name)]
public sealed class DcgmProcessLifetimeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    public DcgmProcessLifetimeTests()
    {
        DcgmStandIn.Reset();
        Assert.True(DcgmLibrary.TryLoad(DcgmStandIn.LibraryPath, out var error), error);
    }

    private static DcgmReturn DevicesOn(nuint handle)
    {
        var ids = new uint[DcgmNative.MaxDevices];
        return DcgmNative.GetAllSupportedDevices(handle, ref ids[0], out _);
    }

    private static DcgmReturn StartEngineDirectly(ref DcgmStartEmbeddedParamsV2 parameters)
    {
        parameters.Version = DcgmStartEmbeddedParamsV2.VersionWord;
        parameters.OperationMode = DcgmValues.OperationModeAuto;
        parameters.Severity = DcgmValues.LoggingSeverityUnspecified;
        return DcgmNative.StartEmbeddedV2(ref parameters);
    }

    [Fact]
    public void The_stand_in_ends_every_session_at_the_first_shutdown_however_often_init_was_called()
    {
        Assert.Equal(DcgmReturn.Ok, DcgmNative.Shutdown()); // before any init: OK, as the real library
        Assert.Equal(DcgmReturn.Ok, DcgmNative.Init());
        Assert.Equal(DcgmReturn.Ok, DcgmNative.Init());
        var engine = new DcgmStartEmbeddedParamsV2();
        Assert.Equal(DcgmReturn.Ok, StartEngineDirectly(ref engine));
        var connect = new DcgmConnectParamsV2 { Version = DcgmConnectParamsV2.VersionWord, TimeoutMilliseconds = 1000 };
        Assert.Equal(DcgmReturn.Ok, DcgmNative.ConnectV2("127.0.0.1", ref connect, out var connection));
        Assert.Equal(DcgmReturn.Ok, DevicesOn(engine.DcgmHandle));
        Assert.Equal(DcgmReturn.Ok, DevicesOn(connection));

        Assert.Equal(DcgmReturn.Ok, DcgmNative.Shutdown());

        Assert.Equal(DcgmReturn.Uninitialized, DevicesOn(engine.DcgmHandle));
        Assert.Equal(DcgmReturn.Uninitialized, DevicesOn(connection));
        Assert.Equal(0, DcgmStandIn.LiveObjects);
    }

    [Fact]
    public void The_stand_in_leaves_the_handle_unwritten_when_the_engine_already_runs()
    {
        Assert.Equal(DcgmReturn.Ok, DcgmNative.Init());
        var first = new DcgmStartEmbeddedParamsV2();
        Assert.Equal(DcgmReturn.Ok, StartEngineDirectly(ref first));
        Assert.Equal(DcgmValues.EmbeddedHandle, first.DcgmHandle);

        var second = new DcgmStartEmbeddedParamsV2 { DcgmHandle = 12345 };
        Assert.Equal(DcgmReturn.Ok, StartEngineDirectly(ref second));
        Assert.Equal((nuint)12345, second.DcgmHandle);

        // One stop ends the engine for both starts; a second stop of an engine that is not running is still OK.
        Assert.Equal(DcgmReturn.Ok, DcgmNative.StopEmbedded(DcgmValues.EmbeddedHandle));
        Assert.Equal(DcgmReturn.BadParam, DevicesOn(DcgmValues.EmbeddedHandle));
        Assert.Equal(DcgmReturn.Ok, DcgmNative.StopEmbedded(DcgmValues.EmbeddedHandle));
        Assert.Equal(DcgmReturn.Ok, DcgmNative.Shutdown());
    }

    [Fact]
    public void Sessions_in_one_process_outlive_each_other_and_the_last_one_shuts_down()
    {
        var first = DcgmSessionHandle.Open(null, Timeout);
        var remote = DcgmSessionHandle.Open("127.0.0.1:5555", Timeout);
        var second = DcgmSessionHandle.Open(null, Timeout);
        Assert.Equal(DcgmReturn.Ok, first.Code);
        Assert.Equal(DcgmReturn.Ok, remote.Code);
        Assert.Equal(DcgmReturn.Ok, second.Code);
        Assert.Equal(1, DcgmStandIn.CallCount("dcgmInit"));
        Assert.Equal(1, DcgmStandIn.CallCount("dcgmStartEmbedded_v2"));

        first.Session!.Dispose();
        Assert.Equal(DcgmReturn.Ok, DevicesOn(second.Session!.Value));
        Assert.Equal(DcgmReturn.Ok, DevicesOn(remote.Session!.Value));
        Assert.Equal(0, DcgmStandIn.CallCount("dcgmStopEmbedded"));
        Assert.Equal(0, DcgmStandIn.CallCount("dcgmShutdown"));

        second.Session.Dispose();
        Assert.Equal(1, DcgmStandIn.CallCount("dcgmStopEmbedded"));
        Assert.Equal(DcgmReturn.Ok, DevicesOn(remote.Session.Value));

        remote.Session.Dispose();
        Assert.Equal(1, DcgmStandIn.CallCount("dcgmShutdown"));
        Assert.Equal(0, DcgmStandIn.LiveObjects);
    }

    [Fact]
    public async Task Two_sources_in_one_process_read_on_when_one_is_disposed()
    {
        var options = new DcgmGpuSourceOptions { LibraryPath = DcgmStandIn.LibraryPath };
        var first = new DcgmGpuSource(options);
        await using var second = new DcgmGpuSource(options);
        Assert.False((await first.ReadAsync()).Down);
        Assert.False((await second.ReadAsync()).Down);

        await first.DisposeAsync();

        var snapshot = await second.ReadAsync();
        Assert.False(snapshot.Down, snapshot.DownReason);
        Assert.Equal(8, snapshot.Gpus.Count);
        Assert.Equal(1, DcgmStandIn.CallCount("dcgmStartEmbedded_v2")); // not reopened: it never went down
    }

    [Fact]
    public void An_engine_another_owner_started_is_used_and_left_running()
    {
        Assert.Equal(DcgmReturn.Ok, DcgmNative.Init());
        var owner = new DcgmStartEmbeddedParamsV2();
        Assert.Equal(DcgmReturn.Ok, StartEngineDirectly(ref owner));

        var opened = DcgmSessionHandle.Open(null, Timeout);
        Assert.Equal(DcgmReturn.Ok, opened.Code);
        Assert.Equal(DcgmValues.EmbeddedHandle, opened.Session!.Value);
        Assert.Equal(DcgmReturn.Ok, DevicesOn(opened.Session.Value));
        opened.Session.Dispose();

        Assert.Equal(DcgmReturn.Ok, DevicesOn(owner.DcgmHandle)); // the owner's engine still runs
        Assert.Equal(0, DcgmStandIn.CallCount("dcgmStopEmbedded"));
        Assert.Equal(0, DcgmStandIn.CallCount("dcgmShutdown"));
        Assert.Equal(DcgmReturn.Ok, DcgmNative.Shutdown());
    }
}
