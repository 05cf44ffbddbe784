using System.Runtime.InteropServices;

namespace SolProfiler.Testing.StandIns;

/// <summary>
/// Finds native/build/nvml/libnvidia-ml.so.1 (built by cmake, never by the tests) and calls its solprof_nvml_* back door.
/// </summary>
public static class NvmlStandIn
{
    public const string RelativePath = "native/build/nvml/libnvidia-ml.so.1";

    private static readonly Lazy<Api> Loaded = new(Load);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int NoArgs();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int UIntArg(uint value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int SetName(uint index, [MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int SetValueFn(uint index, [MarshalAs(UnmanagedType.LPUTF8Str)] string key, double value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int SetFieldFn(uint index, uint fieldId, int valueType, double value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int InjectFn([MarshalAs(UnmanagedType.LPUTF8Str)] string function, int device, int code, int calls);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int DoubleArg(double value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int CallCountFn([MarshalAs(UnmanagedType.LPUTF8Str)] string function);

    private sealed record Api(
        string Path, NoArgs Reset, UIntArg SetCount, SetName SetName, SetValueFn SetValue, SetFieldFn SetField,
        InjectFn Inject, NoArgs InitCount, CallCountFn CallCount, NoArgs GpmLiveSamples, DoubleArg Elapse);

    private static long _elapsedTicks;

    public const uint AllGpus = uint.MaxValue;

    /// <summary>The stand-in's absolute path; fails the test with the build command when it was not built.</summary>
    public static string LibraryPath => Loaded.Value.Path;

    public static void Reset() => Check(Loaded.Value.Reset());

    public static void SetDeviceCount(uint count) => Check(Loaded.Value.SetCount(count));

    public static void SetDeviceName(uint index, string name) => Check(Loaded.Value.SetName(index, name));

    public static void SetValue(uint index, string key, double value) => Check(Loaded.Value.SetValue(index, key, value));

    public static void SetFieldValue(uint index, uint fieldId, int valueType, double value) =>
        Check(Loaded.Value.SetField(index, fieldId, valueType, value));

    /// <summary>calls &lt; 0: forever. device -1: every GPU.</summary>
    public static void InjectError(string function, int device, int code, int calls = -1) =>
        Check(Loaded.Value.Inject(function, device, code, calls));


    public static int InitCount => Loaded.Value.InitCount();

    public static int CallCount(string function) => Loaded.Value.CallCount(function);

    /// <summary>
    /// A clock that runs with the stand-in's: the system clock plus every <see cref="Elapse"/>. Give it to a source whose
    /// test lets GPM intervals pass (NVML wants samples more than 100 ms apart) without sleeping.
    /// </summary>
    public static TimeProvider Clock { get; } = new ElapsingClock();

    /// <summary>Moves the stand-in's clock and <see cref="Clock"/> forward together, as if the time had passed.</summary>
    public static void Elapse(TimeSpan span)
    {
        Check(Loaded.Value.Elapse(span.TotalSeconds));
        Interlocked.Add(ref _elapsedTicks, span.Ticks);
    }

    /// <summary>GPM samples allocated and not freed, over the process (not reset by <see cref="Reset"/>).</summary>
    public static int GpmLiveSamples => Loaded.Value.GpmLiveSamples();

    private static void Check(int code) => StandInLibrary.Check(code);

    private static Api Load()
    {
        var library = new StandInLibrary(RelativePath, "NVML");
        T Get<T>(string name) where T : Delegate => library.Get<T>(name);
        return new Api(
            library.Path, Get<NoArgs>("solprof_nvml_reset"), Get<UIntArg>("solprof_nvml_set_device_count"),
            Get<SetName>("solprof_nvml_set_device_name"), Get<SetValueFn>("solprof_nvml_set_value"),
            Get<SetFieldFn>("solprof_nvml_set_field_value"), Get<InjectFn>("solprof_nvml_inject_error"),
            Get<NoArgs>("solprof_nvml_init_count"),
            Get<CallCountFn>("solprof_nvml_call_count"), Get<NoArgs>("solprof_nvml_gpm_live_samples"),
            Get<DoubleArg>("solprof_nvml_elapse"));
    }

    private sealed class ElapsingClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _elapsedTicks));

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() =>
            (long)(System.GetTimestamp() * ((double)TimeSpan.TicksPerSecond / System.TimestampFrequency)) + Interlocked.Read(ref _elapsedTicks);
    }
}
