using SolProfiler.Agent.Configuration;
using SolProfiler.Sol;
using SolProfiler.Sol.Models;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Cli.Sol;

/// <summary>Resolves a request against the catalogs and evaluates every (TP, batch) it names.</summary>
public static class SolRunner
{
    /// <summary>One TP degree's prepared model, the load every step of the run carries, and one result per batch.</summary>
    public sealed record Evaluation(PreparedSol Prepared, StepLoad Load, IReadOnlyList<SolResult> Results);

    public static IReadOnlyList<Evaluation> Run(SolRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Context < 0 || !double.IsFinite(request.Context))
        {
            throw new SolInputException($"context {request.Context} must be >= 0 tokens");
        }

        var load = new StepLoad(request.PrefillTokens);
        var gpu = CatalogFiles.Gpus(request.GpuFile).Get(request.Gpu);
        var model = ModelCatalog.BuiltIn.Resolve(request.Model);
        return request.TpValues.Select(tp =>
        {
            var prepared = SolModel.Prepare(new SolConfiguration(model, gpu, new Parallelism(tp, request.Pp, request.Ep, request.AttentionDp), request.Precisions, request.Speculative));
            return new Evaluation(prepared, load, request.Batches.Select(b => prepared.Evaluate(b, request.Context, load)).ToArray());
        }).ToArray();
    }
}
