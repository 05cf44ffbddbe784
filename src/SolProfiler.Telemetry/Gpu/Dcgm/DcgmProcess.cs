namespace SolProfiler.Telemetry.Gpu.Dcgm;

/// <summary>
/// DCGM's process-wide state, counted here because the library does not count it (DCGM 4.6.0,
/// <c>dcgmlib/src/DcgmApi.cpp</c>): <c>dcgmInit</c> is idempotent, one <c>dcgmShutdown</c> tears down every connection
/// and the embedded engine of the process, one <c>dcgmStopEmbedded</c> stops the engine for every user, and a second
/// <c>dcgmStartEmbedded_v2</c> returns OK without writing the handle. Two sessions in one process (two sources, or a
/// reconnect while another source reads) would otherwise end each other. The first user initialises and starts, the
/// last one stops and shuts down.
/// </summary>
internal static class DcgmProcess
{
    private static readonly Lock Gate = new();
    private static int _users;
    private static int _embeddedUsers;

    // The engine was already running when our first user started it (the handle came back unwritten): another owner in
    // this process started it and will stop it, so while our users last neither the engine nor DCGM is shut down from
    // here. Forgotten when the last one leaves; the agent itself never has such an owner.
    private static bool _foreignEngine;

    /// <summary>Joins the process's DCGM (the first user calls <c>dcgmInit</c>).</summary>
    public static DcgmReturn Enter()
    {
        lock (Gate)
        {
            if (_users == 0)
            {
                var code = DcgmNative.Init();
                if (code != DcgmReturn.Ok)
                {
                    return code;
                }
            }

            _users++;
            return DcgmReturn.Ok;
        }
    }

    /// <summary>Leaves it (the last user calls <c>dcgmShutdown</c>, which also ends its connections).</summary>
    public static DcgmReturn Leave()
    {
        lock (Gate)
        {
            if (_users == 0)
            {
                return DcgmReturn.Ok;
            }

            _users--;
            if (_users > 0)
            {
                return DcgmReturn.Ok;
            }

            var foreign = _foreignEngine;
            _foreignEngine = false;
            return foreign ? DcgmReturn.Ok : DcgmNative.Shutdown();
        }
    }

    /// <summary>Uses the process's embedded engine, starting it for the first user (call between Enter and Leave).</summary>
    public static DcgmReturn StartEmbedded(uint paramsVersion, out nuint handle)
    {
        lock (Gate)
        {
            if (_embeddedUsers > 0)
            {
                _embeddedUsers++;
                handle = DcgmValues.EmbeddedHandle;
                return DcgmReturn.Ok;
            }

            // Severity as the stock dcgmStartEmbedded passes it: a zeroed struct would mean DcgmLoggingSeverityNone.
            // The handle starts at 0 so that "already running, handle not written" can be told from a start.
            var parameters = new DcgmStartEmbeddedParamsV2
            {
                Version = paramsVersion,
                OperationMode = DcgmValues.OperationModeAuto,
                Severity = DcgmValues.LoggingSeverityUnspecified,
                DcgmHandle = 0,
            };
            var code = DcgmNative.StartEmbeddedV2(ref parameters);
            if (code != DcgmReturn.Ok)
            {
                handle = 0;
                return code;
            }

            if (parameters.DcgmHandle == 0)
            {
                _foreignEngine = true;
            }

            _embeddedUsers++;
            handle = DcgmValues.EmbeddedHandle;
            return DcgmReturn.Ok;
        }
    }

    /// <summary>Stops using the embedded engine (the last user stops it, unless another owner started it).</summary>
    public static DcgmReturn StopEmbedded()
    {
        lock (Gate)
        {
            if (_embeddedUsers == 0)
            {
                return DcgmReturn.Ok;
            }

            _embeddedUsers--;
            return _embeddedUsers == 0 && !_foreignEngine ? DcgmNative.StopEmbedded(DcgmValues.EmbeddedHandle) : DcgmReturn.Ok;
        }
    }
}
