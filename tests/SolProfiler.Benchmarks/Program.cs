using SolProfiler.Benchmarks;

// Two helpers for tests/perf/parser-vs-promtool.sh, then BenchmarkDotNet for everything else:
//   write-exposition PATH      writes the ~50 MB vLLM-like body the parser benchmark uses
//   time-parse PATH [RUNS]     times ExpositionParser.Scan and .Parse on a file (median of RUNS after one warm-up)
switch (args.FirstOrDefault())
{
    case "write-exposition" when args.Length == 2:
        var benchmark = new ExpositionParserBenchmarks();
        benchmark.Setup();
        File.WriteAllBytes(args[1], benchmark.Body);
        return 0;
    case "time-parse" when args.Length is 2 or 3:
        return ParseTiming.Run(args[1], args.Length == 3 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5);
    default:
        BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(SolEvaluationBenchmarks).Assembly).Run(args);
        return 0;
}
