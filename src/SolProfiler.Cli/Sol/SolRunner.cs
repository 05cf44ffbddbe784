using SolProfiler.Agent.Configuration;
using SolProfiler.Sol;
using SolProfiler.Sol.Models;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Cli.Sol;

/// <summary>Resolves a request against the catalogs and evaluates every (TP, batch) it names.</summary>
public static class SolRunner
{
    public sealed record Evaluation(PreparedSol Prepared, IReadOnlyList<SolResult> Results);

    public static IReadOnlyList<Evaluation> Run(SolRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Context < 0 || !double.IsFinite(request.Context))
        {
            throw new SolInputException($"context {request.Context} must be >= 0 tokens");
        }

        var gpu = CatalogFiles.Gpus(request.GpuFile).Get(request.Gpu);
        var model = ModelCatalog.BuiltIn.Resolve(request.Model);
        return request.TpValues.Select(tp =>
        {
            var prepared = SolModel.Prepare(new SolConfiguration(model, gpu, new Parallelism(tp, request.Pp, request.Ep, request.AttentionDp), request.Precisions, request.Speculative));
            return new Evaluation(prepared, request.Batches.Select(b => prepared.Evaluate(b, request.Context)).ToArray());
        }).ToArray();
    }
}
