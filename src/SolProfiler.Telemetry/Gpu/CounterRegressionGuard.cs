namespace SolProfiler.Telemetry.Gpu;

/// <summary>
/// Wraps any GPU source and watches its cumulative counters (energy, NVLink and PCIe bytes) per GPU: a counter that
/// goes backwards (a driver reload, a GPU reset, a wrapped counter) is reported as a warning naming the GPU and the
/// counter, and the snapshot is marked partial by listing the counter as missing for that read, so no window ever
/// turns it into a negative rate.
/// </summary>
public sealed class CounterRegressionGuard(IGpuSource inner) : IGpuSource
{
    private static readonly (string Field, Func<GpuSample, double?> Get, Func<GpuSample, GpuSample> Clear)[] Counters =
    [
        ("energyJoules", s => s.EnergyJoules, s => s with { EnergyJoules = null }),
        ("nvlinkTxBytes", s => s.NvlinkTxBytes, s => s with { NvlinkTxBytes = null }),
        ("nvlinkRxBytes", s => s.NvlinkRxBytes, s => s with { NvlinkRxBytes = null }),
        ("pcieTxBytes", s => s.PcieTxBytes, s => s with { PcieTxBytes = null }),
        ("pcieRxBytes", s => s.PcieRxBytes, s => s with { PcieRxBytes = null }),
    ];

    private readonly Dictionary<string, GpuSample> _previous = new(StringComparer.Ordinal);

    public string Backend => inner.Backend;

    public async Task<GpuSnapshot> ReadAsync(CancellationToken cancellationToken = default)
    {
        var snapshot = await inner.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (snapshot.Down)
        {
            return snapshot;
        }

        var warnings = new List<string>();
        var missing = new HashSet<string>(snapshot.MissingFields, StringComparer.Ordinal);
        var gpus = new List<GpuSample>(snapshot.Gpus.Count);
        foreach (var gpu in snapshot.Gpus)
        {
            var key = gpu.Uuid ?? gpu.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var checkedSample = gpu;
            if (_previous.TryGetValue(key, out var before))
            {
                foreach (var (field, get, clear) in Counters)
                {
                    if (get(gpu) is { } now && get(before) is { } then && now < then)
                    {
                        warnings.Add($"GPU {gpu.Index}: {field} went backwards ({then:G6} -> {now:G6}); the driver or GPU was reset, so this read starts the counter afresh");
                        missing.Add(field);
                        checkedSample = clear(checkedSample);
                    }
                }
            }

            _previous[key] = gpu; // the raw value: the next read compares with what the device said
            gpus.Add(checkedSample);
        }

        return warnings.Count == 0
            ? snapshot
            : snapshot with { Gpus = gpus, Warnings = [.. snapshot.Warnings, .. warnings], MissingFields = [.. missing] };
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
