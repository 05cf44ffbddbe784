using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace SolProfiler.Agent.Hosting;

/// <summary>
/// The agent's own cost on its /metrics, as every Go exporter reports its go_* and process_* series: a bounded
/// choice of the runtime's built-in "System.Runtime" meter. The rest of that meter stays off: five of its gauges end
/// in <c>_count</c> (dotnet_assembly_count, dotnet_timer_count, ...), which promtool's lint rejects for anything that
/// is not a histogram or summary, and the thread-pool and JIT series say nothing an operator acts on. Its exception
/// counter is left out too: it is a plain counter that exists only after the first exception, so /metrics would
/// change its families when one is thrown (CI's golden list had it where a local run had thrown none).
/// tests/perf/footprint.sh reads the agent's allocations per tick from dotnet_gc_heap_total_allocated_bytes_total.
/// </summary>
internal static class RuntimeSeries
{
    public const string MeterName = "System.Runtime";

    private static readonly FrozenSet<string> Exported = FrozenSet.ToFrozenSet(
    [
        "dotnet.process.cpu.time",
        "dotnet.process.memory.working_set",
        "dotnet.gc.collections",
        "dotnet.gc.heap.total_allocated",
        "dotnet.gc.last_collection.memory.committed_size",
        "dotnet.gc.pause.time",
    ]);

    /// <summary>Drops every instrument of the runtime meter that is not in the exported set; other meters untouched.</summary>
    public static MetricStreamConfiguration? Select(Instrument instrument) =>
        instrument.Meter.Name == MeterName && !Exported.Contains(instrument.Name) ? MetricStreamConfiguration.Drop : null;
}
