using SolProfiler.Sol.Hardware;

namespace SolProfiler.Sol.Modeling;

/// <summary>
/// The least time a collective can take on a GPU's fabric: the scale-up domain (with the algorithms it supports) and,
/// for a group that leaves it, the scale-out network (DESIGN.md section 3, "collectives"). Volumes are per GPU and
/// per direction; one phase is one synchronisation across the group, costing at least the fabric's latency floor
/// (the catalog's floor is that of a one-shot collective, the fastest a small message gets across).
/// </summary>
/// <remarks>
/// All-reduce of an S-byte message over N ranks inside one domain, least over the supported algorithms:
/// ring (reduce-scatter then all-gather, as two-shot does): 2(N-1)/N x S in 2 phases;
/// one-shot (each rank reads every other rank's message and reduces locally): (N-1) x S in 1 phase;
/// in-switch (the switch reduces, e.g. NVLS: each rank sends its message once and receives the sum once): S in 1 phase
/// (one kernel: multimem.ld_reduce of a slice through the switch, multimem.st of the sum back, behind one barrier as
/// one-shot; NCCL's NVLS floor, ~6 us at 2 GPUs (NVIDIA/nccl issue #1259), sits at the one-shot floor, not twice it).
/// A group spanning M domains of d ranks runs hierarchically: inside each domain as above, and across the domains
/// 2(M-1)/M x S / d per GPU over its own NIC (rail-parallel); the two stream under each other, so the slower sets the
/// bandwidth term, and the scale-out latency adds 2 phases.
/// All-gather and reduce-scatter: (N-1)/N x S in 1 phase. All-to-all: the payload once per destination rank.
/// </remarks>
internal sealed class Fabric
{
    private readonly double _upBandwidth;
    private readonly double _upLatency;
    private readonly bool _oneShot;
    private readonly bool _inSwitch;
    private readonly double _outBandwidth;
    private readonly double _outLatency;

    public Fabric(GpuSpec gpu)
    {
        _upBandwidth = gpu.LinkBandwidthBytesPerSecondPerDirection.Value;
        _upLatency = gpu.CollectiveLatencySeconds.Value;
        _oneShot = gpu.ScaleUpAlgorithms.ContainsKey(CollectiveAlgorithm.OneShot);
        _inSwitch = gpu.ScaleUpAlgorithms.ContainsKey(CollectiveAlgorithm.InSwitch);
        _outBandwidth = gpu.ScaleOut?.BandwidthBytesPerSecondPerDirection.Value ?? double.NaN;
        _outLatency = gpu.ScaleOut?.LatencySeconds.Value ?? double.NaN;
        DomainSize = (int)gpu.ScaleUpDomainSize.Value;
    }

    public int DomainSize { get; }

    /// <summary>Seconds, and bytes one GPU moves (scale-up plus scale-out), for one collective of <paramref name="bytes"/>.</summary>
    public (double Seconds, double Bytes) Time(in Collective c, double bytes)
    {
        switch (c.Kind)
        {
            case CollectiveKind.AllReduce:
                {
                    var (upSeconds, upBytes, upLatency) = AllReduceInDomain(c.RanksPerDomain, bytes);
                    if (!c.Crosses)
                    {
                        return (upSeconds + upLatency, upBytes);
                    }

                    var m = c.Domains;
                    var outBytes = 2 * (m - 1) / m * bytes / c.RanksPerDomain;
                    return (Math.Max(upSeconds, outBytes / _outBandwidth) + upLatency + (2 * _outLatency), upBytes + outBytes);
                }

            case CollectiveKind.AllGather:
            case CollectiveKind.ReduceScatter:
                {
                    double d = c.RanksPerDomain;
                    var upBytes = (d - 1) / d * bytes;
                    if (!c.Crosses)
                    {
                        return ((upBytes / _upBandwidth) + _upLatency, upBytes);
                    }

                    var m = c.Domains;
                    var outBytes = (m - 1) / m * bytes / d;
                    return (Math.Max(upBytes / _upBandwidth, outBytes / _outBandwidth) + _upLatency + _outLatency, upBytes + outBytes);
                }

            case CollectiveKind.AllToAll:
                {
                    var upBytes = bytes * c.IntraFanout;
                    if (!c.Crosses)
                    {
                        return ((upBytes / _upBandwidth) + _upLatency, upBytes);
                    }

                    var outBytes = bytes * c.InterFanout;
                    return (Math.Max(upBytes / _upBandwidth, outBytes / _outBandwidth) + _outLatency, upBytes + outBytes);
                }

            default:
                return c.Crosses
                    ? ((bytes / _outBandwidth) + _outLatency, bytes)
                    : ((bytes / _upBandwidth) + _upLatency, bytes);
        }
    }

    /// <summary>The fastest all-reduce inside one domain: its bandwidth seconds, bytes and latency, least total over the algorithms.</summary>
    private (double Seconds, double Bytes, double Latency) AllReduceInDomain(int ranks, double bytes)
    {
        double n = ranks;
        var ringBytes = 2 * (n - 1) / n * bytes;
        var best = (Seconds: ringBytes / _upBandwidth, Bytes: ringBytes, Latency: 2 * _upLatency);
        if (_oneShot)
        {
            var oneShotBytes = (n - 1) * bytes;
            var seconds = oneShotBytes / _upBandwidth;
            if (seconds + _upLatency < best.Seconds + best.Latency)
            {
                best = (seconds, oneShotBytes, _upLatency);
            }
        }

        if (_inSwitch)
        {
            var seconds = bytes / _upBandwidth;
            if (seconds + _upLatency < best.Seconds + best.Latency)
            {
                best = (seconds, bytes, _upLatency);
            }
        }

        return best;
    }
}
