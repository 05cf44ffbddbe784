using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SolProfiler.Telemetry.Gpu.Dcgm;

/// <summary>
/// The callback form of reading latest values (<c>dcgmGetLatestValues_v2</c>, <c>dcgmFieldValue_v1</c> records): copies
/// each record out during the callback, since DCGM's buffer is only valid for the call.
/// </summary>
internal static class DcgmCallbackReader
{
    /// <summary>A copied value: the entity it belongs to and the v1 record.</summary>
    internal readonly record struct Entry(uint EntityGroupId, uint EntityId, DcgmFieldValueV1 Value);

    public static unsafe DcgmReturn LatestValues(nuint handle, nuint groupId, nuint fieldGroupId, List<Entry> into)
    {
        var box = GCHandle.Alloc(into);
        try
        {
            return DcgmNative.GetLatestValuesV2(handle, groupId, fieldGroupId, &Collect, (void*)GCHandle.ToIntPtr(box));
        }
        finally
        {
            box.Free();
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe int Collect(uint entityGroupId, uint entityId, DcgmFieldValueV1* values, int count, void* userData)
    {
        try
        {
            var into = (List<Entry>)GCHandle.FromIntPtr((nint)userData).Target!;
            for (var i = 0; i < count; i++)
            {
                into.Add(new Entry(entityGroupId, entityId, values[i]));
            }

            return 0;
        }
        catch (InvalidCastException)
        {
            return -1; // never let an exception cross into native code
        }
    }
}
