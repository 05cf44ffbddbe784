using System.Diagnostics;
using System.Globalization;
using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Benchmarks;

/// <summary>
/// Wall time of the parser on a file, read from memory (as promtool's is from a pipe), printed as
/// <c>scan_seconds=…</c> / <c>parse_seconds=…</c> lines a script can read. Median of the runs after one warm-up.
/// </summary>
internal static class ParseTiming
{
    public static int Run(string path, int runs)
    {
        var body = File.ReadAllBytes(path);
        var limits = new ExpositionLimits { MaxBytes = 1L << 30, MaxSeries = 10_000_000 };
        var visitor = new CountingVisitor();
        var scan = Median(runs, () => ExpositionParser.Scan(new MemoryStream(body, writable: false), visitor, limits));
        var parse = Median(runs, () => ExpositionParser.Parse(new MemoryStream(body, writable: false), limits));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bytes={body.Length} samples={visitor.Samples / (runs + 1)}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scan_seconds={scan:F4} scan_mb_per_s={body.Length / scan / 1e6:F1}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"parse_seconds={parse:F4} parse_mb_per_s={body.Length / parse / 1e6:F1}"));
        return 0;
    }

    private static double Median(int runs, Action action)
    {
        action(); // warm-up: JIT and first-touch of the buffers
        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            times[i] = watch.Elapsed.TotalSeconds;
        }

        Array.Sort(times);
        return times[runs / 2];
    }

    private sealed class CountingVisitor : IExpositionVisitor
    {
        public long Samples { get; private set; }

        public void OnSample(in ExpositionSample sample) => Samples++;
    }
}
