using System.Runtime.InteropServices;

namespace SolProfiler.Telemetry.Gpu.Dcgm;

/// <summary>
/// Source-generated P/Invoke declarations for the DCGM subset the agent calls (exact <c>dcgm_agent.h</c> names). The
/// library name is resolved by <see cref="DcgmLibrary"/> (through <see cref="NativeLibraries"/>) to the handle it
/// loaded, which may be <c>libdcgm.so.3</c> or an explicit path. Call only after <see cref="DcgmLibrary.TryLoad"/> succeeded.
/// </summary>
internal static partial class DcgmNative
{
    public const string LibraryName = "libdcgm.so.4";
    public const string LegacyLibraryName = "libdcgm.so.3";

    public const int MaxDevices = 32;

    [LibraryImport(LibraryName, EntryPoint = "dcgmInit")]
    public static partial DcgmReturn Init();

    [LibraryImport(LibraryName, EntryPoint = "dcgmShutdown")]
    public static partial DcgmReturn Shutdown();

    /// <summary><paramref name="parameters"/>.Version selects the layout; the handle comes back in it.</summary>
    [LibraryImport(LibraryName, EntryPoint = "dcgmStartEmbedded_v2")]
    public static partial DcgmReturn StartEmbeddedV2(ref DcgmStartEmbeddedParamsV2 parameters);

    [LibraryImport(LibraryName, EntryPoint = "dcgmStopEmbedded")]
    public static partial DcgmReturn StopEmbedded(nuint handle);

    /// <summary>"host" (port 5555) or "host:port".</summary>
    [LibraryImport(LibraryName, EntryPoint = "dcgmConnect_v2", StringMarshalling = StringMarshalling.Utf8)]
    public static partial DcgmReturn ConnectV2(string address, ref DcgmConnectParamsV2 parameters, out nuint handle);

    [LibraryImport(LibraryName, EntryPoint = "dcgmDisconnect")]
    public static partial DcgmReturn Disconnect(nuint handle);

    /// <summary><paramref name="gpuIds"/> must hold <see cref="MaxDevices"/> entries.</summary>
    [LibraryImport(LibraryName, EntryPoint = "dcgmGetAllSupportedDevices")]
    public static partial DcgmReturn GetAllSupportedDevices(nuint handle, ref uint gpuIds, out int count);

    [LibraryImport(LibraryName, EntryPoint = "dcgmGroupCreate", StringMarshalling = StringMarshalling.Utf8)]
    public static partial DcgmReturn GroupCreate(nuint handle, int groupType, string name, out nuint groupId);

    [LibraryImport(LibraryName, EntryPoint = "dcgmGroupDestroy")]
    public static partial DcgmReturn GroupDestroy(nuint handle, nuint groupId);

    [LibraryImport(LibraryName, EntryPoint = "dcgmFieldGroupCreate", StringMarshalling = StringMarshalling.Utf8)]
    public static partial DcgmReturn FieldGroupCreate(nuint handle, int count, ref ushort fieldIds, string name, out nuint fieldGroupId);

    [LibraryImport(LibraryName, EntryPoint = "dcgmFieldGroupDestroy")]
    public static partial DcgmReturn FieldGroupDestroy(nuint handle, nuint fieldGroupId);

    /// <summary>updateFrequency in microseconds, maxKeepAge in seconds, maxKeepSamples 0 = unlimited.</summary>
    [LibraryImport(LibraryName, EntryPoint = "dcgmWatchFields")]
    public static partial DcgmReturn WatchFields(nuint handle, nuint groupId, nuint fieldGroupId, long updateFrequencyMicroseconds, double maxKeepAgeSeconds, int maxKeepSamples);

    [LibraryImport(LibraryName, EntryPoint = "dcgmUnwatchFields")]
    public static partial DcgmReturn UnwatchFields(nuint handle, nuint groupId, nuint fieldGroupId);

    [LibraryImport(LibraryName, EntryPoint = "dcgmUpdateAllFields")]
    public static partial DcgmReturn UpdateAllFields(nuint handle, int waitForUpdate);

    /// <summary><paramref name="values"/> must hold entityCount × fieldCount records; order is not guaranteed.</summary>
    [LibraryImport(LibraryName, EntryPoint = "dcgmEntitiesGetLatestValues")]
    public static partial DcgmReturn EntitiesGetLatestValues(
        nuint handle, ref DcgmGroupEntityPair entities, uint entityCount, ref ushort fields, uint fieldCount, uint flags, ref DcgmFieldValueV2 values);

    /// <summary>
    /// Calls <paramref name="callback"/>(entityGroupId, entityId, dcgmFieldValue_v1* values, numValues, userData) per entity;
    /// return 0 to continue, &lt;0 to stop. The values are valid only during the call. Not used by
    /// <see cref="DcgmGpuSource"/> (it reads with <see cref="EntitiesGetLatestValues"/>); kept for callers that want the callback form.
    /// </summary>
    [LibraryImport(LibraryName, EntryPoint = "dcgmGetLatestValues_v2")]
    public static unsafe partial DcgmReturn GetLatestValuesV2(
        nuint handle, nuint groupId, nuint fieldGroupId, delegate* unmanaged[Cdecl]<uint, uint, DcgmFieldValueV1*, int, void*, int> callback, void* userData);

    /// <summary>The real export is <c>errorString</c> (there is no <c>dcgmErrorString</c>); static string or NULL, never freed.</summary>
    [LibraryImport(LibraryName, EntryPoint = "errorString")]
    public static partial nint ErrorString(DcgmReturn result);
}
