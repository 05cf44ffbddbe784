using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(SolProfiler.Benchmarks.SolEvaluationBenchmarks).Assembly).Run(args);
