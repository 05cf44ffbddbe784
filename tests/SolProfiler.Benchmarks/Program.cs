using SolProfiler.Benchmarks;

// Helpers for the scripts in tests/perf, then BenchmarkDotNet for everything else:
//   write-exposition PATH      writes the ~50 MB vLLM-like body the parser benchmark uses
//   time-parse PATH [RUNS]     times ExpositionParser.Scan and .Parse on a file (median of RUNS after one warm-up)
//   time-sol [SECONDS]         operating points per second on one thread (tests/perf/sol-rate.sh)
//   tick-allocations BODIES STANDIN [TICKS]   bytes per agent tick, stage by stage (tests/perf/tick-allocations.sh)
switch (args.FirstOrDefault())
{
    case "write-exposition" when args.Length == 2:
        var benchmark = new ExpositionParserBenchmarks();
        benchmark.Setup();
        File.WriteAllBytes(args[1], benchmark.Body);
        return 0;
    case "time-parse" when args.Length is 2 or 3:
        return ParseTiming.Run(args[1], args.Length == 3 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5);
    case "time-sol" when args.Length is 1 or 2:
        return SolTiming.Run(args.Length == 2 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3);
    case "tick-allocations" when args.Length is 3 or 4:
        return TickAllocations.Run(args[1], args[2], args.Length == 4 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 120);
    default:
        BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(SolEvaluationBenchmarks).Assembly).Run(args);
        return 0;
}
