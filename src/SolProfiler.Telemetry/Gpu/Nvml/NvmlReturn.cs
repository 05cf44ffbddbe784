namespace SolProfiler.Telemetry.Gpu.Nvml;

/// <summary><c>nvmlReturn_t</c> (NVML 13.3 header values; a 4-byte C enum).</summary>
public enum NvmlReturn
{
    Success = 0,
    Uninitialized = 1,
    InvalidArgument = 2,
    NotSupported = 3,
    NoPermission = 4,
    AlreadyInitialized = 5,
    NotFound = 6,
    InsufficientSize = 7,
    InsufficientPower = 8,
    DriverNotLoaded = 9,
    Timeout = 10,
    IrqIssue = 11,
    LibraryNotFound = 12,
    FunctionNotFound = 13,
    CorruptedInforom = 14,
    GpuIsLost = 15,
    ResetRequired = 16,
    OperatingSystem = 17,
    LibRmVersionMismatch = 18,
    InUse = 19,
    Memory = 20,
    NoData = 21,
    VgpuEccNotSupported = 22,
    InsufficientResources = 23,
    FreqNotSupported = 24,
    ArgumentVersionMismatch = 25,
    Deprecated = 26,
    NotReady = 27,
    GpuNotFound = 28,
    InvalidState = 29,
    ResetTypeNotSupported = 30,
    Unknown = 999,
}

/// <summary>The outcome of one NVML call: a value when <see cref="Code"/> is <see cref="NvmlReturn.Success"/>.</summary>
internal readonly record struct NvmlResult<T>(NvmlReturn Code, T Value)
{
    public bool IsSuccess => Code == NvmlReturn.Success;

    public static NvmlResult<T> Ok(T value) => new(NvmlReturn.Success, value);

    public static NvmlResult<T> Fail(NvmlReturn code) => new(code, default!);

    /// <summary>The value, or null when the call failed.</summary>
    public T? OrNull() => IsSuccess ? Value : default;
}
