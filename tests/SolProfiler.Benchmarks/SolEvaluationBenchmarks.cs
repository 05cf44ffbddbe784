using BenchmarkDotNet.Attributes;
using SolProfiler.Sol.Hardware;
using SolProfiler.Sol.Models;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Benchmarks;

/// <summary>
/// How fast the SOL model evaluates operating points (target: at least 1 M points per second on one core).
/// A dense model (Llama-3.1-70B, TP 8) and an MoE with MLA and EP (DeepSeek-V3, TP 8, EP 8, attention-DP 8).
/// </summary>
[MemoryDiagnoser]
public class SolEvaluationBenchmarks
{
    private const int SweepPoints = 1024;

    private PreparedSol _dense = null!;
    private PreparedSol _moe = null!;

    [GlobalSetup]
    public void Setup()
    {
        var h100 = GpuCatalog.BuiltIn.Get("h100-sxm");
        var h200 = GpuCatalog.BuiltIn.Get("h200-sxm");
        _dense = SolModel.Prepare(new SolConfiguration(ModelCatalog.BuiltIn.Get("llama-3.1-70b"), h100, new Parallelism(8), new PrecisionChoice()));
        _moe = SolModel.Prepare(new SolConfiguration(ModelCatalog.BuiltIn.Get("deepseek-v3"), h200, new Parallelism(8, 1, 8, 8), new PrecisionChoice()));
    }

    [Benchmark]
    public SolResult OnePointDense() => _dense.Evaluate(64, 2048);

    [Benchmark]
    public SolResult OnePointMoe() => _moe.Evaluate(64, 2048);

    /// <summary>Batch 1..1024, every integer: the agent's frontier and the CLI's sweeps.</summary>
    [Benchmark(OperationsPerInvoke = SweepPoints)]
    public double SweepDense()
    {
        double sum = 0;
        for (var b = 1; b <= SweepPoints; b++)
        {
            sum += _dense.Evaluate(b, 2048).TokensPerSecondPerGpu;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = SweepPoints)]
    public double SweepMoe()
    {
        double sum = 0;
        for (var b = 1; b <= SweepPoints; b++)
        {
            sum += _moe.Evaluate(b, 2048).TokensPerSecondPerGpu;
        }

        return sum;
    }
}
