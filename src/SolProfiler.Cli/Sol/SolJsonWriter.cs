using System.Text.Json;
using System.Text.Json.Serialization;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Cli.Sol;

/// <summary>The JSON contract of <c>solprof sol --format json</c>: camelCase, SI units; one object, or an array when several points are asked.</summary>
public static class SolJsonWriter
{
    internal static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Write(TextWriter output, IReadOnlyList<SolRunner.Evaluation> evaluations)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(evaluations);
        var results = evaluations.SelectMany(e => e.Results.Select(r => Record.From(e.Prepared, r))).ToArray();
        output.WriteLine(results.Length == 1
            ? JsonSerializer.Serialize(results[0], Options)
            : JsonSerializer.Serialize(results, Options));
    }

    /// <summary>The result plus the formats that produced it (so a reader knows what was assumed).</summary>
    internal sealed record Record(
        string Model,
        string Gpu,
        int Tp,
        int Pp,
        int Ep,
        int AttentionDp,
        int Batch,
        double Context,
        string Weights,
        string ExpertWeights,
        string Kv,
        string Activations,
        string MathPrecision,
        double WeightBytesPerGpu,
        double KvBytesPerGpu,
        double KvBytesPerToken,
        double FlopsPerGpu,
        double CommBytesPerGpu,
        int CollectivesPerStep,
        SolSeconds Seconds,
        SolBound Bound,
        SolShares Shares,
        double SecondsPerOutputToken,
        double TokensPerSecondPerUser,
        double TokensPerSecondPerGpu,
        double JoulesPerToken,
        double? ExpectedExpertsPerLayer,
        double ResidentWeightBytesPerGpu,
        double ResidentKvBytesPerGpu,
        double MemoryBytesPerGpu,
        bool Fits,
        long? MaxBatchThatFits,
        IReadOnlyList<string> Warnings)
    {
        public static Record From(PreparedSol p, SolResult r) => new(
            r.Model, r.Gpu, r.Tp, r.Pp, r.Ep, r.AttentionDp, r.Batch, r.Context,
            PrecisionFacts.Name(p.Precisions.Weights), PrecisionFacts.Name(p.Precisions.ExpertWeights), PrecisionFacts.Name(p.Precisions.Kv),
            PrecisionFacts.Name(p.Precisions.Activations), PrecisionFacts.Name(p.Precisions.Math),
            r.WeightBytesPerGpu, r.KvBytesPerGpu, r.KvBytesPerToken, r.FlopsPerGpu, r.CommBytesPerGpu, r.CollectivesPerStep,
            r.Seconds, r.Bound, r.Shares, r.SecondsPerOutputToken, r.TokensPerSecondPerUser, r.TokensPerSecondPerGpu, r.JoulesPerToken,
            r.ExpectedExpertsPerLayer, r.ResidentWeightBytesPerGpu, r.ResidentKvBytesPerGpu, r.MemoryBytesPerGpu, r.Fits, r.MaxBatchThatFits, r.Warnings);
    }
}
