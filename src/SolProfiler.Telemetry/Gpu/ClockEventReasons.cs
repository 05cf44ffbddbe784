namespace SolProfiler.Telemetry.Gpu;

/// <summary>
/// The clock-event ("throttle") reason bitmask shared by NVML (nvmlClocksEventReason*) and DCGM field 112
/// (shared/reference/dcgm-nvml.md section 3.3), decoded into stable snake_case names for labels and JSON: the one
/// label set every backend (NVML, DCGM, dcgm-exporter) uses.
/// </summary>
public static class ClockEventReasons
{
    private static readonly (ulong Bit, string Name)[] Bits =
    [
        (0x1, "gpu_idle"),
        (0x2, "applications_clocks_setting"), // NVML's ApplicationsClocksSetting, DCGM's CLOCKS_SETTING: one bit, one name
        (0x4, "sw_power_cap"),
        (0x8, "hw_slowdown"),
        (0x10, "sync_boost"),
        (0x20, "sw_thermal"),
        (0x40, "hw_thermal"),
        (0x80, "hw_power_brake"),
        (0x100, "display_clocks"),
    ];

    /// <summary>Reasons that mean the GPU runs slower than it could (power or thermal), as opposed to idling.</summary>
    public static IReadOnlySet<string> Throttling { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "sw_power_cap", "hw_slowdown", "sw_thermal", "hw_thermal", "hw_power_brake",
    };

    // Static fields initialise in text order: these two follow Bits.
    private static readonly ulong KnownBits = Bits.Aggregate(0UL, (acc, b) => acc | b.Bit);

    // The bits of a known mask decoded once: a GPU reports the same few masks every second, so a read allocates none.
    private static readonly IReadOnlyList<string>[] KnownMasks = DecodeAllKnown();

    public static IReadOnlyList<string> Decode(ulong mask) =>
        (mask & ~KnownBits) == 0 ? KnownMasks[mask] : DecodeBits(mask);

    private static IReadOnlyList<string>[] DecodeAllKnown()
    {
        var all = new IReadOnlyList<string>[KnownBits + 1];
        for (ulong mask = 0; mask <= KnownBits; mask++)
        {
            all[mask] = DecodeBits(mask);
        }

        return all;
    }

    private static string[] DecodeBits(ulong mask)
    {
        var names = new List<string>();
        foreach (var (bit, name) in Bits)
        {
            if ((mask & bit) != 0)
            {
                names.Add(name);
            }
        }

        var unknown = mask & ~KnownBits;
        if (unknown != 0)
        {
            names.Add($"unknown_0x{unknown:x}");
        }

        return [.. names];
    }
}
