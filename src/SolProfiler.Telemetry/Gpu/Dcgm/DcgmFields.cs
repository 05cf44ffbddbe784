namespace SolProfiler.Telemetry.Gpu.Dcgm;

/// <summary>
/// The DCGM field ids the source watches (<c>dcgm_fields.h</c>, DCGM 4.x: <c>DCGM_FI_DEV_*</c> and the profiling
/// <c>DCGM_FI_PROF_*</c>), and the two groups it watches them in: device fields, always; profiling fields, where the
/// profiling module is available.
/// </summary>
internal static class DcgmFields
{
    public const ushort Name = 50, Uuid = 54, PciBusId = 57, SmClock = 100, MemClock = 101, ClockEventReasons = 112;
    public const ushort MemoryTemperature = 140, GpuTemperature = 150, Power = 155, Energy = 156, PowerLimit = 164;
    public const ushort GpuUtil = 203, Xid = 230, FbTotal = 250, FbUsed = 252;
    public const ushort GrEngineActive = 1001, SmActive = 1002, SmOccupancy = 1003, TensorActive = 1004, DramActive = 1005;
    public const ushort PcieTx = 1009, PcieRx = 1010, NvlinkTx = 1011, NvlinkRx = 1012;

    /// <summary>Device fields: names, clocks, temperatures, power and energy, utilisation, XID, framebuffer.</summary>
    public static readonly ushort[] Device =
    [
        Name, Uuid, PciBusId, SmClock, MemClock, ClockEventReasons, MemoryTemperature,
        GpuTemperature, Power, Energy, PowerLimit, GpuUtil, Xid, FbTotal, FbUsed,
    ];

    /// <summary>Profiling fields (DCGM's profiling module): engine, SM, tensor and DRAM activity, PCIe and NVLink bytes.</summary>
    public static readonly ushort[] Profiling =
    [
        GrEngineActive, SmActive, SmOccupancy, TensorActive, DramActive,
        PcieTx, PcieRx, NvlinkTx, NvlinkRx,
    ];
}
