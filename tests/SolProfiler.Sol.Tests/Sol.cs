using SolProfiler.Sol.Hardware;
using SolProfiler.Sol.Models;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Sol.Tests;

/// <summary>Short ways to build configurations from the built-in catalogs.</summary>
internal static class Sol
{
    public static ModelArchitecture Model(string id) => ModelCatalog.BuiltIn.Get(id);

    public static GpuSpec Gpu(string id) => GpuCatalog.BuiltIn.Get(id);

    public static PreparedSol Prepare(
        string model,
        string gpu,
        int tp = 1,
        int pp = 1,
        int ep = 1,
        int attentionDp = 1,
        Precision? weights = null,
        Precision? kv = null,
        Precision? activations = null,
        SpeculativeDecoding? speculative = null) =>
        SolModel.Prepare(new SolConfiguration(Model(model), Gpu(gpu), new Parallelism(tp, pp, ep, attentionDp), new PrecisionChoice(weights, null, kv, activations), speculative));

    /// <summary>
    /// A GPU of round numbers, so hand arithmetic stays readable: 1 TB/s HBM, 1 PFLOP/s at every format (2 at fp8,
    /// 4 at fp4), 100 GB/s scale-up per direction with a 10 us floor, a domain of 8, 10 GB/s scale-out with a 20 us
    /// floor, 1 TB of memory; energy costs 0, so the energy term never binds.
    /// </summary>
    public static GpuSpec RoundGpu(CollectiveAlgorithm[]? algorithms = null, int domain = 8, bool scaleOut = true)
    {
        static SourcedValue V(double v) => new(v, "test");
        var peaks = new Dictionary<MathPrecision, SourcedValue> { [MathPrecision.Bf16] = V(1e15), [MathPrecision.Fp16] = V(1e15), [MathPrecision.Fp8] = V(2e15), [MathPrecision.Fp4] = V(4e15) };
        return new GpuSpec
        {
            Id = "round",
            Name = "round numbers",
            Vendor = "test",
            DeviceNamePatterns = ["^round$"],
            MemoryBytes = V(1e12),
            MemoryBandwidthBytesPerSecond = V(1e12),
            PeakFlopsPerSecond = peaks,
            ScaleUpName = "test fabric",
            LinkBandwidthBytesPerSecondPerDirection = V(1e11),
            CollectiveLatencySeconds = V(1e-5),
            ScaleUpDomainSize = V(domain),
            ScaleUpAlgorithms = (algorithms ?? [CollectiveAlgorithm.Ring]).ToDictionary(a => a, _ => "test"),
            InSwitchReductionName = algorithms?.Contains(CollectiveAlgorithm.InSwitch) == true ? "test switch" : null,
            ScaleOut = scaleOut ? new ScaleOutNetwork("test NIC", V(1e10), V(2e-5)) : null,
            PowerCapWatts = V(1000),
            IdlePowerWatts = V(0),
            HbmJoulesPerBit = V(0),
            LinkJoulesPerBit = V(0),
            JoulesPerFlop = peaks.ToDictionary(p => p.Key, _ => V(0)),
            Origin = "test",
        };
    }

    public static PreparedSol Prepare(string model, GpuSpec gpu, Parallelism parallelism, PrecisionChoice? precisions = null) =>
        SolModel.Prepare(new SolConfiguration(Model(model), gpu, parallelism, precisions ?? new PrecisionChoice()));

    public static void Close(double expected, double actual, double relative = 1e-9) =>
        Assert.True(Math.Abs(expected - actual) <= relative * Math.Abs(expected), $"expected {expected:R}, got {actual:R}");
}
