using System.Runtime.InteropServices;

namespace SolProfiler.Testing.StandIns;

/// <summary>
/// Finds native/build/dcgm/libdcgm.so.4 (built by cmake, never by the tests) and calls its solprof_dcgm_* back door.
/// DCGM tests join the NVML stand-in collection: both bindings share the assembly's one DllImport resolver and both
/// stand-ins keep process-global state, so they run one at a time.
/// </summary>
public static class DcgmStandIn
{
    public const string RelativePath = "native/build/dcgm/libdcgm.so.4";

    public const uint AllGpus = uint.MaxValue;

    private static readonly Lazy<Api> Loaded = new(Load);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int NoArgs();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int UIntArg(uint value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int IntArg(int value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int SetI64(uint gpu, uint fieldId, long value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int SetDbl(uint gpu, uint fieldId, double value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int SetStr(uint gpu, uint fieldId, [MarshalAs(UnmanagedType.LPUTF8Str)] string value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int SetBlankFn(uint gpu, uint fieldId, int kind);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int InjectFn([MarshalAs(UnmanagedType.LPUTF8Str)] string function, int code, int calls);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int CallCountFn([MarshalAs(UnmanagedType.LPUTF8Str)] string function);

    private sealed record Api(
        string Path, NoArgs Reset, UIntArg SetCount, SetI64 SetI64, SetDbl SetDbl, SetStr SetStr, SetBlankFn SetBlank,
        IntArg RefuseProfiling, InjectFn Inject, IntArg Reachable, NoArgs Drop, NoArgs LiveObjects, CallCountFn CallCount, NoArgs LastSeverity);

    /// <summary>The stand-in's absolute path; fails the test with the build command when it was not built.</summary>
    public static string LibraryPath => Loaded.Value.Path;

    public static void Reset() => Check(Loaded.Value.Reset());

    public static void SetGpuCount(uint count) => Check(Loaded.Value.SetCount(count));

    public static void SetInt64(uint gpu, uint fieldId, long value) => Check(Loaded.Value.SetI64(gpu, fieldId, value));

    public static void SetDouble(uint gpu, uint fieldId, double value) => Check(Loaded.Value.SetDbl(gpu, fieldId, value));

    public static void SetString(uint gpu, uint fieldId, string value) => Check(Loaded.Value.SetStr(gpu, fieldId, value));

    /// <summary>kind 0 BLANK, 1 NOT_FOUND, 2 NOT_SUPPORTED, 3 NOT_PERMISSIONED.</summary>
    public static void SetBlank(uint gpu, uint fieldId, int kind = 0) => Check(Loaded.Value.SetBlank(gpu, fieldId, kind));

    /// <summary>0: profiling allowed; else the code dcgmWatchFields gives for DCGM_FI_PROF_* fields.</summary>
    public static void RefuseProfiling(int code) => Check(Loaded.Value.RefuseProfiling(code));

    /// <summary>calls &lt; 0: forever; 0 clears.</summary>
    public static void InjectError(string function, int code, int calls = -1) => Check(Loaded.Value.Inject(function, code, calls));

    public static void SetHostEngineReachable(bool reachable) => Check(Loaded.Value.Reachable(reachable ? 1 : 0));

    public static void DropConnections() => Check(Loaded.Value.Drop());

    public static int LiveObjects => Loaded.Value.LiveObjects();

    public static int CallCount(string function) => Loaded.Value.CallCount(function);

    /// <summary>The logging severity the last dcgmStartEmbedded_v2 was given; int.MinValue before any call.</summary>
    public static int LastEmbeddedSeverity => Loaded.Value.LastSeverity();

    private static void Check(int code) => StandInLibrary.Check(code);

    private static Api Load()
    {
        var library = new StandInLibrary(RelativePath, "DCGM");
        T Get<T>(string name) where T : Delegate => library.Get<T>(name);
        return new Api(
            library.Path, Get<NoArgs>("solprof_dcgm_reset"), Get<UIntArg>("solprof_dcgm_set_gpu_count"),
            Get<SetI64>("solprof_dcgm_set_field_int64"), Get<SetDbl>("solprof_dcgm_set_field_double"),
            Get<SetStr>("solprof_dcgm_set_field_string"), Get<SetBlankFn>("solprof_dcgm_set_field_blank"),
            Get<IntArg>("solprof_dcgm_refuse_profiling"), Get<InjectFn>("solprof_dcgm_inject_error"),
            Get<IntArg>("solprof_dcgm_set_hostengine_reachable"), Get<NoArgs>("solprof_dcgm_drop_connections"),
            Get<NoArgs>("solprof_dcgm_live_objects"), Get<CallCountFn>("solprof_dcgm_call_count"),
            Get<NoArgs>("solprof_dcgm_last_embedded_severity"));
    }
}
