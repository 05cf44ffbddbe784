using System.Globalization;
using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Gpu.DcgmExporter;

/// <summary>
/// Maps a dcgm-exporter body (DCGM_FI_* families with gpu, UUID, modelName, pci_bus_id and Hostname labels;
/// shared/reference/dcgm-nvml.md section 4) to one <see cref="GpuSample"/> per GPU, converting units to SI.
/// </summary>
public static class DcgmExporterReading
{
    private const double Mebibyte = 1024.0 * 1024.0;

    /// <summary>Families read, with how each sets a field (the unit conversion is here, once).</summary>
    private static readonly (string Family, Func<GpuSample, double, GpuSample> Apply)[] Fields =
    [
        ("DCGM_FI_DEV_POWER_USAGE", (s, v) => s with { PowerWatts = v }),
        ("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", (s, v) => s with { EnergyJoules = v / 1000 }),                 // mJ
        ("DCGM_FI_DEV_POWER_MGMT_LIMIT", (s, v) => s with { PowerLimitWatts = s.PowerLimitWatts ?? v }),
        ("DCGM_FI_DEV_ENFORCED_POWER_LIMIT", (s, v) => s with { PowerLimitWatts = v }),
        ("DCGM_FI_DEV_SM_CLOCK", (s, v) => s with { SmClockHz = v * 1e6 }),                                      // MHz
        ("DCGM_FI_DEV_MEM_CLOCK", (s, v) => s with { MemClockHz = v * 1e6 }),
        ("DCGM_FI_DEV_GPU_TEMP", (s, v) => s with { GpuTemperatureCelsius = v }),
        ("DCGM_FI_DEV_MEMORY_TEMP", (s, v) => s with { MemoryTemperatureCelsius = v }),
        ("DCGM_FI_DEV_FB_USED", (s, v) => s with { MemoryUsedBytes = v * Mebibyte }),                            // MiB
        ("DCGM_FI_DEV_GPU_UTIL", (s, v) => s with { GraphicsActiveRatio = s.GraphicsActiveRatio ?? v / 100 }),   // %, fallback
        ("DCGM_FI_PROF_GR_ENGINE_ACTIVE", (s, v) => s with { GraphicsActiveRatio = v }),
        ("DCGM_FI_PROF_SM_ACTIVE", (s, v) => s with { SmActiveRatio = v }),
        ("DCGM_FI_PROF_SM_OCCUPANCY", (s, v) => s with { SmOccupancyRatio = v }),
        ("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", (s, v) => s with { TensorActiveRatio = v }),
        ("DCGM_FI_PROF_DRAM_ACTIVE", (s, v) => s with { DramActiveRatio = v }),
        ("DCGM_FI_PROF_PCIE_TX_BYTES", (s, v) => s with { PcieTxBytesPerSecond = v }),                           // bytes/s
        ("DCGM_FI_PROF_PCIE_RX_BYTES", (s, v) => s with { PcieRxBytesPerSecond = v }),
        ("DCGM_FI_PROF_NVLINK_TX_BYTES", (s, v) => s with { NvlinkTxBytesPerSecond = v }),
        ("DCGM_FI_PROF_NVLINK_RX_BYTES", (s, v) => s with { NvlinkRxBytesPerSecond = v }),
        ("DCGM_FI_DEV_XID_ERRORS", (s, v) => s with { XidErrors = v }),
        ("DCGM_FI_DEV_CLOCK_THROTTLE_REASONS", (s, v) => s with { ThrottleReasons = ClockEventReasons.Decode((ulong)v) }),
        ("DCGM_FI_DEV_CLOCKS_EVENT_REASONS", (s, v) => s with { ThrottleReasons = ClockEventReasons.Decode((ulong)v) }),
    ];

    public static GpuSnapshot Read(ExpositionDocument document, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(document);
        var gpus = new SortedDictionary<int, GpuSample>();
        var framebuffer = new Dictionary<int, (double Used, double Free, double Reserved)>();
        var warnings = new List<string>();

        // Processed in table order so that preferred families (listed later) overwrite fallbacks.
        foreach (var (family, apply) in Fields)
        {
            foreach (var sample in document.Samples(family))
            {
                if (GpuIndex(sample) is not { } index || !double.IsFinite(sample.Value))
                {
                    continue;
                }

                gpus[index] = apply(gpus.TryGetValue(index, out var s) ? s : NewSample(sample, index, at), sample.Value);
            }
        }

        foreach (var (family, slot) in new[] { ("DCGM_FI_DEV_FB_USED", 0), ("DCGM_FI_DEV_FB_FREE", 1), ("DCGM_FI_DEV_FB_RESERVED", 2) })
        {
            foreach (var sample in document.Samples(family))
            {
                if (GpuIndex(sample) is { } index && double.IsFinite(sample.Value))
                {
                    var fb = framebuffer.GetValueOrDefault(index, (double.NaN, double.NaN, 0));
                    framebuffer[index] = slot switch
                    {
                        0 => fb with { Used = sample.Value },
                        1 => fb with { Free = sample.Value },
                        _ => fb with { Reserved = sample.Value },
                    };
                }
            }
        }

        foreach (var (index, fb) in framebuffer)
        {
            if (gpus.TryGetValue(index, out var s) && double.IsFinite(fb.Used) && double.IsFinite(fb.Free))
            {
                gpus[index] = s with { MemoryTotalBytes = (fb.Used + fb.Free + fb.Reserved) * Mebibyte };
            }
        }

        if (document.Contains("DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL") && !document.Contains("DCGM_FI_PROF_NVLINK_TX_BYTES"))
        {
            warnings.Add("NVLink: the exporter publishes DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL, a rate in MB/s over both directions, not byte counters; enable DCGM_FI_PROF_NVLINK_TX_BYTES/RX_BYTES in its counters file for per-direction bytes/s");
        }

        if (!document.Contains("DCGM_FI_PROF_DRAM_ACTIVE"))
        {
            warnings.Add("no profiling fields (DCGM_FI_PROF_*): the exporter needs SYS_ADMIN (or profiling permission) and a counters file that enables them; HBM traffic cannot be measured without DRAM_ACTIVE");
        }

        var samples = gpus.Values.ToArray();
        return new GpuSnapshot
        {
            Backend = "dcgm-exporter",
            Timestamp = at,
            Gpus = samples,
            MissingFields = GpuFields.Missing(samples),
            Warnings = warnings,
            DownReason = samples.Length == 0 ? $"no DCGM_FI_* GPU metrics in the body ({document.SeriesCount} series of other families)" : null,
        };
    }

    private static GpuSample NewSample(MetricSample sample, int index, DateTimeOffset at) => new()
    {
        Index = index,
        Timestamp = at,
        Uuid = sample.LabelValue("UUID") ?? sample.LabelValue("uuid"),
        Name = sample.LabelValue("modelName") ?? sample.LabelValue("model_name"),
        PciBusId = sample.LabelValue("pci_bus_id"),
    };

    private static int? GpuIndex(MetricSample sample) =>
        int.TryParse(sample.LabelValue("gpu"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) && index >= 0 ? index : null;
}
