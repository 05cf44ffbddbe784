using System.Globalization;
using SolProfiler.Sol.Hardware;

namespace SolProfiler.Cli.Gpus;

/// <summary>
/// How a catalog GPU's collectives and network read in <c>solprof gpus</c>: the algorithms the SOL takes the least
/// over, and the NIC a group beyond the scale-up domain crosses, so a reader can see why a collective costs what it does.
/// </summary>
public static class CatalogFabric
{
    public static IReadOnlyList<string> AlgorithmNames(GpuSpec gpu)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        return gpu.ScaleUpAlgorithms.Keys.Order().Select(a => a switch
        {
            CollectiveAlgorithm.Ring => "ring",
            CollectiveAlgorithm.OneShot => "one-shot",
            CollectiveAlgorithm.InSwitch => "in-switch",
            _ => a.ToString(),
        }).ToArray();
    }

    /// <summary>e.g. "ring, one-shot, in-switch (NVLS (NVSwitch gen 3 SHARP))".</summary>
    public static string Algorithms(GpuSpec gpu) =>
        string.Join(", ", AlgorithmNames(gpu).Select(n => n == "in-switch" && gpu.InSwitchReductionName is { } what ? $"{n} ({what})" : n));

    /// <summary>e.g. "ConnectX-7 ..., 50 GB/s per direction, 3 µs"; "none" for a user entry without one.</summary>
    public static string ScaleOut(GpuSpec gpu)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        return gpu.ScaleOut is { } net
            ? string.Create(CultureInfo.InvariantCulture, $"{net.Name}, {net.BandwidthBytesPerSecondPerDirection.Value / 1e9:0.#} GB/s per direction, {net.LatencySeconds.Value * 1e6:0.##} µs")
            : "none";
    }
}
