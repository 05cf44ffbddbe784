using System.Text.Json;
using System.Text.Json.Serialization;
using SolProfiler.Cli.Common;
using SolProfiler.Sol.Hardware;
using SolProfiler.Telemetry.Gpu;

namespace SolProfiler.Cli.Gpus;

/// <summary>
/// The JSON contract of <c>solprof gpus --format json</c>: camelCase, SI units, absent values omitted. One read is
/// indented; with <c>--watch</c> each read is one line (JSON Lines) that carries its time, so a stream of reads can be
/// read line by line.
/// </summary>
public static class GpusJsonWriter
{
    public static string Serialize(GpuSnapshot snapshot, GpuCatalog catalog, bool oneLine = false)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(catalog);
        var matched = snapshot.Gpus.Select(g => g.Name is null ? null : catalog.DetectByDeviceName(g.Name)).ToArray();
        var document = new Document(
            oneLine ? snapshot.Timestamp : null,
            snapshot.Backend,
            snapshot.Gpus.Select((g, i) => GpuRecord.From(g, matched[i]?.Id)).ToArray(),
            matched.OfType<GpuSpec>().DistinctBy(c => c.Id).Select(CatalogRecord.From).ToArray(),
            snapshot.MissingFields,
            snapshot.Warnings,
            snapshot.DownReason);
        return JsonSerializer.Serialize(document, oneLine ? CliJson.CompactInfo<Document>() : CliJson.Info<Document>(omitNulls: true));
    }

    internal sealed record Document(DateTimeOffset? Timestamp, string Backend, IReadOnlyList<GpuRecord> Gpus, IReadOnlyList<CatalogRecord> Catalog, IReadOnlyList<string> MissingFields, IReadOnlyList<string> Warnings, string? DownReason);

    /// <summary>The fabric of each catalog GPU the devices map to: what the SOL's collectives are the least over.</summary>
    internal sealed record CatalogRecord(string Id, string ScaleUp, double ScaleUpDomainSize, IReadOnlyList<string> CollectiveAlgorithms, string? InSwitchReduction, ScaleOutRecord? ScaleOut)
    {
        public static CatalogRecord From(GpuSpec g) => new(
            g.Id, g.ScaleUpName, g.ScaleUpDomainSize.Value, CatalogFabric.AlgorithmNames(g), g.InSwitchReductionName,
            g.ScaleOut is { } n ? new ScaleOutRecord(n.Name, n.BandwidthBytesPerSecondPerDirection.Value, n.LatencySeconds.Value) : null);
    }

    internal sealed record ScaleOutRecord(string Name, double BandwidthBytesPerSecondPerDirection, double LatencySeconds);

    internal sealed record GpuRecord(
        int Index,
        string? Uuid,
        string? Name,
        string? CatalogId,
        string? PciBusId,
        double? PowerWatts,
        double? EnergyJoules,
        double? PowerLimitWatts,
        double? SmClockHz,
        double? MemClockHz,
        double? GpuTemperatureCelsius,
        double? MemoryTemperatureCelsius,
        double? MemoryUsedBytes,
        double? MemoryTotalBytes,
        double? GraphicsActiveRatio,
        double? SmActiveRatio,
        double? SmOccupancyRatio,
        double? TensorActiveRatio,
        double? DramActiveRatio,
        double? NvlinkTxBytes,
        double? NvlinkRxBytes,
        double? NvlinkTxBytesPerSecond,
        double? NvlinkRxBytesPerSecond,
        double? PcieTxBytes,
        double? PcieRxBytes,
        double? PcieTxBytesPerSecond,
        double? PcieRxBytesPerSecond,
        IReadOnlyList<string>? ThrottleReasons,
        double? XidErrors)
    {
        public static GpuRecord From(GpuSample g, string? catalogId) => new(
            g.Index, g.Uuid, g.Name, catalogId, g.PciBusId, g.PowerWatts, g.EnergyJoules, g.PowerLimitWatts, g.SmClockHz, g.MemClockHz,
            g.GpuTemperatureCelsius, g.MemoryTemperatureCelsius, g.MemoryUsedBytes, g.MemoryTotalBytes, g.GraphicsActiveRatio, g.SmActiveRatio,
            g.SmOccupancyRatio, g.TensorActiveRatio, g.DramActiveRatio, g.NvlinkTxBytes, g.NvlinkRxBytes, g.NvlinkTxBytesPerSecond,
            g.NvlinkRxBytesPerSecond, g.PcieTxBytes, g.PcieRxBytes, g.PcieTxBytesPerSecond, g.PcieRxBytesPerSecond, g.ThrottleReasons, g.XidErrors);
    }
}
