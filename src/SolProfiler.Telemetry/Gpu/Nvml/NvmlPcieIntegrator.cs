namespace SolProfiler.Telemetry.Gpu.Nvml;

/// <summary>
/// PCIe byte counters for the NVML source. NVML gives only a KB/s rate over a ~20 ms window
/// (<c>nvmlDeviceGetPcieThroughput</c>), so the counters are the trapezoidal integral of that rate (KB taken as 1024
/// bytes) between reads, starting at 0 on a GPU's first read: an estimate, not a hardware counter.
/// </summary>
internal sealed class NvmlPcieIntegrator
{
    private readonly Dictionary<string, PcieIntegral> _pcie = new(StringComparer.Ordinal);

    /// <summary>The GPU's byte counters after this read's rates (KB/s); nulls when a rate is missing.</summary>
    public (double? Tx, double? Rx) Integrate(string key, DateTimeOffset now, uint? txKbps, uint? rxKbps)
    {
        if (txKbps is null || rxKbps is null)
        {
            // No rate this time: hold nothing over the gap; the next good read restarts the integral's time base.
            if (_pcie.TryGetValue(key, out var held))
            {
                _pcie[key] = held with { At = null };
            }

            return (null, null);
        }

        double tx = txKbps.Value * 1024.0, rx = rxKbps.Value * 1024.0;
        if (!_pcie.TryGetValue(key, out var state))
        {
            state = new PcieIntegral(0, 0, tx, rx, now);
        }
        else if (state.At is { } at && now > at)
        {
            var dt = (now - at).TotalSeconds;
            state = new PcieIntegral(state.TxBytes + ((state.TxRate + tx) / 2 * dt), state.RxBytes + ((state.RxRate + rx) / 2 * dt), tx, rx, now);
        }
        else
        {
            state = state with { TxRate = tx, RxRate = rx, At = now };
        }

        _pcie[key] = state;
        return (state.TxBytes, state.RxBytes);
    }

    /// <summary>Forgets a GPU (it was lost): its counters start again at 0 if it comes back.</summary>
    public void Forget(string key) => _pcie.Remove(key);

    public void Clear() => _pcie.Clear();

    private sealed record PcieIntegral(double TxBytes, double RxBytes, double TxRate, double RxRate, DateTimeOffset? At);
}
