using System.Globalization;
using SolProfiler.Analysis;
using SolProfiler.Sol.Hardware;
using SolProfiler.Telemetry.Exposition;
using SolProfiler.Telemetry.Gpu.Nvml;
using SolProfiler.Telemetry.Serving.Scraping;

namespace SolProfiler.Benchmarks;

/// <summary>
/// Bytes the agent's steady path allocates per tick (one second at 1 Hz), stage by stage, on one thread: the
/// parse of the server's body, the adapter's read of it, one NVML read of the 8 stand-in GPUs through the real
/// P/Invoke path, and the window's analysis. The bodies are a sequence captured from the demo server one second
/// apart (tests/perf/tick-allocations.sh captures them), replayed in order so the counters advance as they do live.
/// The first half of the run warms up; the second half is measured with GC.GetAllocatedBytesForCurrentThread,
/// which counts every byte this thread allocates, exactly, and each stage's wall time is taken beside it (JIT, one
/// thread, a noisy machine: an indication of where the CPU goes, not a benchmark). The HTTP client's and Kestrel's own allocations and the
/// /metrics export are not in it: tests/perf/footprint.sh measures the whole process.
/// </summary>
internal static class TickAllocations
{
    public static int Run(string bodiesFolder, string standInLibrary, int ticks)
    {
        var bodies = Directory.GetFiles(bodiesFolder, "*.prom").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();
        if (bodies.Length < 4)
        {
            Console.Error.WriteLine($"error: {bodiesFolder} holds {bodies.Length} .prom bodies; at least 4 are needed");
            return 2;
        }

        var deployment = new DeploymentSettings { Model = "llama-3.1-70b", Gpu = "h100-sxm", Tp = 8, Weights = "fp8", Kv = "fp8", Activations = "fp8" };
        var sol = new SolSetup(deployment, GpuCatalog.BuiltIn);
        var analyzer = new WindowAnalyzer(new AnalysisSettings { Window = TimeSpan.FromSeconds(30) }, sol, new ServerFacts(deployment, sol, Path.GetTempPath()));
        using var gpus = new NvmlGpuSource(new NvmlGpuSourceOptions { LibraryPath = standInLibrary });
        var limits = ExpositionLimits.Default;
        var reuse = new ExpositionReuse(); // as the agent's scraper keeps one per endpoint
        var t0 = DateTimeOffset.UtcNow;
        var totals = new long[4];
        var ticksSpent = new long[4];
        var measured = 0;
        var valid = 0;
        using var types = new AllocationTypes();
        for (var tick = 0; tick < ticks; tick++)
        {
            // Time advances one second per tick; the bodies repeat once the sequence ends (a counter that restarts
            // reads as a reset, which the window handles as it would live).
            var now = t0.AddSeconds(tick);
            var body = bodies[tick % bodies.Length];
            var t0s = System.Diagnostics.Stopwatch.GetTimestamp();
            var a0 = GC.GetAllocatedBytesForCurrentThread();
            // The agent's call (a memory stream completes every read at once, as a body already received does).
            var document = ExpositionParser.ParseAsync(new MemoryStream(body, writable: false), reuse, limits, "text/plain; version=0.0.4", default).GetAwaiter().GetResult();
            var a1 = GC.GetAllocatedBytesForCurrentThread();
            var t1 = System.Diagnostics.Stopwatch.GetTimestamp();
            var scrape = ExpositionReading.ToScrape(document, "http://127.0.0.1/metrics", now, TimeSpan.FromMilliseconds(1), forced: null);
            var a2 = GC.GetAllocatedBytesForCurrentThread();
            var t2 = System.Diagnostics.Stopwatch.GetTimestamp();
            var read = gpus.ReadAsync().GetAwaiter().GetResult();
            var a3 = GC.GetAllocatedBytesForCurrentThread();
            var t3 = System.Diagnostics.Stopwatch.GetTimestamp();
            analyzer.Add(scrape.Samples);
            analyzer.Add(read with { Timestamp = now });
            var snapshot = analyzer.Analyze(now, Up("serving"), Up("gpu"));
            var a4 = GC.GetAllocatedBytesForCurrentThread();
            var t4 = System.Diagnostics.Stopwatch.GetTimestamp();
            if (tick < ticks / 2)
            {
                types.Recording = tick == (ticks / 2) - 1;
                continue;
            }

            measured++;
            valid += snapshot.Valid ? 1 : 0;
            totals[0] += a1 - a0;
            totals[1] += a2 - a1;
            totals[2] += a3 - a2;
            totals[3] += a4 - a3;
            ticksSpent[0] += t1 - t0s;
            ticksSpent[1] += t2 - t1;
            ticksSpent[2] += t3 - t2;
            ticksSpent[3] += t4 - t3;
        }

        string[] stages = ["parse the body into a document", "adapter: document to samples", "NVML read, 8 GPUs", "window add + analysis"];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ticks measured: {measured} (after {ticks - measured} warm-up); valid windows: {valid}; body {bodies[^1].Length} bytes"));
        for (var i = 0; i < stages.Length; i++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{stages[i],-34} {totals[i] / measured,9} bytes/tick {Micros(ticksSpent[i]),9:F0} us/tick"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"total",-34} {totals.Sum() / measured,9} bytes/tick {Micros(ticksSpent.Sum()),9:F0} us/tick"));
        types.Recording = false;
        types.Print(measured, 15);
        return 0;

        double Micros(long stopwatchTicks) => stopwatchTicks * 1e6 / System.Diagnostics.Stopwatch.Frequency / measured;

        SourceStatus Up(string source) => new(source, source, null, true, t0, null, null, 0, new Dictionary<string, long>());
    }
}
