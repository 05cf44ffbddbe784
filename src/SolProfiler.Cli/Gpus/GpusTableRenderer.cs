using SolProfiler.Cli.Sol;
using SolProfiler.Sol.Hardware;
using SolProfiler.Telemetry.Gpu;
using Spectre.Console;

namespace SolProfiler.Cli.Gpus;

/// <summary>The terminal view of <c>solprof gpus</c>: one row per GPU with the catalog GPU it maps to.</summary>
public static class GpusTableRenderer
{
    public static void Render(IAnsiConsole console, GpuSnapshot snapshot, GpuCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(catalog);
        var table = new Table().Border(TableBorder.Rounded).Title($"{snapshot.Backend}: {snapshot.Gpus.Count} GPU(s) at {snapshot.Timestamp:HH:mm:ss}");
        foreach (var column in new[] { "GPU", "Name", "Catalog", "Power", "Limit", "Energy", "SM clock", "Temp", "Memory", "GR active", "SM active", "Tensor", "DRAM", "PCIe tx/rx", "NVLink tx/rx", "Clock events" })
        {
            table.AddColumn(new TableColumn(column).NoWrap());
        }

        foreach (var g in snapshot.Gpus)
        {
            var catalogId = g.Name is null ? null : catalog.DetectByDeviceName(g.Name)?.Id;
            table.AddRow(
                g.Index.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(g.Name ?? "-"),
                Markup.Escape(catalogId ?? "(unknown)"),
                Value(g.PowerWatts, "W"),
                Value(g.PowerLimitWatts, "W"),
                Value(g.EnergyJoules, "J"),
                Value(g.SmClockHz, "Hz"),
                g.GpuTemperatureCelsius is { } t ? $"{t:0} °C" : "-",
                g.MemoryUsedBytes is { } used ? $"{Units.Bytes(used)} / {(g.MemoryTotalBytes is { } total ? Units.Bytes(total) : "?")}" : "-",
                Ratio(g.GraphicsActiveRatio),
                Ratio(g.SmActiveRatio),
                Ratio(g.TensorActiveRatio),
                Ratio(g.DramActiveRatio),
                Pair(g.PcieTxBytesPerSecond, g.PcieRxBytesPerSecond, "B/s", g.PcieTxBytes, g.PcieRxBytes),
                Pair(g.NvlinkTxBytesPerSecond, g.NvlinkRxBytesPerSecond, "B/s", g.NvlinkTxBytes, g.NvlinkRxBytes),
                Markup.Escape(g.ThrottleReasons is null ? "-" : g.ThrottleReasons.Count == 0 ? "none" : string.Join(",", g.ThrottleReasons)));
        }

        console.Write(table);
        RenderFabrics(console, snapshot, catalog);
        if (snapshot.MissingFields.Count > 0)
        {
            console.MarkupLine($"[grey]not provided by this backend:[/] {Markup.Escape(string.Join(", ", snapshot.MissingFields))}");
        }

        foreach (var warning in snapshot.Warnings)
        {
            console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");
        }
    }

    /// <summary>One row per catalog GPU the devices map to: the collectives the SOL takes the least over and the network beyond the domain.</summary>
    private static void RenderFabrics(IAnsiConsole console, GpuSnapshot snapshot, GpuCatalog catalog)
    {
        var matched = snapshot.Gpus.Select(g => g.Name is null ? null : catalog.DetectByDeviceName(g.Name)).OfType<GpuSpec>().DistinctBy(g => g.Id).ToList();
        if (matched.Count == 0)
        {
            return;
        }

        var fabrics = new Table().Border(TableBorder.Rounded).Title("catalog fabric");
        foreach (var column in new[] { "Catalog", "Scale-up", "Domain", "All-reduce algorithms", "Scale-out" })
        {
            fabrics.AddColumn(new TableColumn(column).NoWrap());
        }

        foreach (var g in matched)
        {
            fabrics.AddRow(
                Markup.Escape(g.Id),
                Markup.Escape(g.ScaleUpName),
                g.ScaleUpDomainSize.Value.ToString("0", System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(CatalogFabric.Algorithms(g)),
                Markup.Escape(CatalogFabric.ScaleOut(g)));
        }

        console.Write(fabrics);
    }

    private static string Value(double? v, string unit) => v is { } x ? Units.Scaled(x, unit) : "-";

    private static string Ratio(double? v) => v is { } x ? Units.Percent(x) : "-";

    private static string Pair(double? txRate, double? rxRate, string unit, double? txTotal, double? rxTotal) =>
        txRate is not null || rxRate is not null ? $"{Value(txRate, unit)} / {Value(rxRate, unit)}"
        : txTotal is not null || rxTotal is not null ? $"{Value(txTotal, "B")} / {Value(rxTotal, "B")} total"
        : "-";
}
