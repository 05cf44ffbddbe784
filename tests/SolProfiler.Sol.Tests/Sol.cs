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

    public static void Close(double expected, double actual, double relative = 1e-9) =>
        Assert.True(Math.Abs(expected - actual) <= relative * Math.Abs(expected), $"expected {expected:R}, got {actual:R}");
}
