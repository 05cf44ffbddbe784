using System.Runtime.InteropServices;

namespace SolProfiler.Telemetry.Gpu.Dcgm;

/// <summary>
/// One <c>dcgmInit</c> plus either an embedded host engine (<c>dcgmStartEmbedded_v2</c>) or a connection to a standalone
/// nv-hostengine (<c>dcgmConnect_v2</c>). The handle value is the <c>dcgmHandle_t</c>; releasing it stops the engine or
/// disconnects, then leaves DCGM. Init, shutdown and the embedded engine are the process's, shared through
/// <see cref="DcgmProcess"/> (the library counts none of them). Groups, field groups and watches made on the handle go with it
/// (persistAfterDisconnect = 0), but callers still destroy them first.
/// </summary>
internal sealed class DcgmSessionHandle : SafeHandle
{
    private bool _embedded;

    public DcgmSessionHandle()
        : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>The <c>dcgmHandle_t</c> (valid while the handle is not closed).</summary>
    public nuint Value => (nuint)handle;

    /// <summary>
    /// Starts DCGM. <paramref name="hostEngineAddress"/> null: embedded engine (AUTO mode); else "host[:port]" or the
    /// absolute path of nv-hostengine's unix socket.
    /// On failure returns the failing call's name and code; nothing is left initialised.
    /// </summary>
    public static (DcgmSessionHandle? Session, string Call, DcgmReturn Code) Open(
        string? hostEngineAddress, TimeSpan connectTimeout, uint startParamsVersion = DcgmStartEmbeddedParamsV2.VersionWord)
    {
        var code = DcgmProcess.Enter();
        if (code != DcgmReturn.Ok)
        {
            return (null, "dcgmInit", code);
        }

        nuint value;
        string call;
        if (hostEngineAddress is null)
        {
            call = "dcgmStartEmbedded_v2";
            code = DcgmProcess.StartEmbedded(startParamsVersion, out value);
        }
        else
        {
            call = "dcgmConnect_v2";
            // A path is nv-hostengine's unix socket (nv-hostengine --domain-socket): the library must be told, or it
            // dials the path as a TCP host name and fails.
            var parameters = new DcgmConnectParamsV2
            {
                Version = DcgmConnectParamsV2.VersionWord,
                TimeoutMilliseconds = (uint)Math.Clamp(connectTimeout.TotalMilliseconds, 1, int.MaxValue),
                AddressIsUnixSocket = hostEngineAddress.StartsWith('/') ? 1u : 0u,
            };
            code = DcgmNative.ConnectV2(hostEngineAddress, ref parameters, out value);
        }

        if (code != DcgmReturn.Ok || value == 0)
        {
            DcgmProcess.Leave();
            return (null, call, code == DcgmReturn.Ok ? DcgmReturn.GenericError : code);
        }

        var session = new DcgmSessionHandle { _embedded = hostEngineAddress is null };
        session.SetHandle((nint)value);
        return (session, call, DcgmReturn.Ok);
    }

    protected override bool ReleaseHandle()
    {
        var closed = _embedded ? DcgmProcess.StopEmbedded() : DcgmNative.Disconnect((nuint)handle);
        var shutdown = DcgmProcess.Leave();
        return closed == DcgmReturn.Ok && shutdown == DcgmReturn.Ok;
    }
}
