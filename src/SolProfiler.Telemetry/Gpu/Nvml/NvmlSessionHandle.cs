using System.Runtime.InteropServices;

namespace SolProfiler.Telemetry.Gpu.Nvml;

/// <summary>
/// One successful <c>nvmlInit_v2</c>; releasing it calls <c>nvmlShutdown</c> once (NVML counts init references, so
/// sessions nest). The handle value carries no pointer: non-zero means "initialised".
/// </summary>
internal sealed class NvmlSessionHandle : SafeHandle
{
    public NvmlSessionHandle()
        : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>Initialises NVML; the library must have been loaded by <see cref="NvmlLibrary.TryLoad"/>.</summary>
    public static NvmlResult<NvmlSessionHandle> Open()
    {
        var session = new NvmlSessionHandle();
        var code = NvmlNative.InitV2();
        if (code != NvmlReturn.Success)
        {
            session.SetHandleAsInvalid();
            session.Dispose();
            return NvmlResult<NvmlSessionHandle>.Fail(code);
        }

        session.SetHandle(1);
        return NvmlResult<NvmlSessionHandle>.Ok(session);
    }

    protected override bool ReleaseHandle() => NvmlNative.Shutdown() == NvmlReturn.Success;
}
