using System.Diagnostics;
using System.Globalization;

namespace SolProfiler.Benchmarks;

/// <summary>
/// Operating points evaluated per second on one thread, for tests/perf/sol-rate.sh: the benchmark's own sweeps
/// (batch 1..1024) run for about <c>seconds</c> each after a warm-up, as <c>name=points_per_second</c> lines.
/// </summary>
internal static class SolTiming
{
    public static int Run(double seconds)
    {
        var benchmarks = new SolEvaluationBenchmarks();
        benchmarks.Setup();
        Report("sweep_dense_llama_3_1_70b_tp8", () => benchmarks.SweepDense(), seconds);
        Report("sweep_moe_deepseek_v3_tp8_ep8_adp8", () => benchmarks.SweepMoe(), seconds);
        return 0;
    }

    private static void Report(string name, Func<double> sweep, double seconds)
    {
        var sink = 0.0;
        for (var i = 0; i < 200; i++)
        {
            sink += sweep(); // warm-up: tiered JIT to its final code
        }

        long sweeps = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            sink += sweep();
            sweeps++;
        }

        var rate = sweeps * 1024 / watch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}={rate:F0} points/s ({1e9 / rate:F0} ns per point; checksum {sink:E3})"));
    }
}
