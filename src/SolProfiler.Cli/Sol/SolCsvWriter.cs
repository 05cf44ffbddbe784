using System.Globalization;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Cli.Sol;

/// <summary>One CSV row per (TP, batch), SI units, RFC 4180 quoting for the warnings column.</summary>
public static class SolCsvWriter
{
    private static readonly string[] Header =
    [
        "model", "gpu", "tp", "pp", "ep", "attentionDp", "batch", "context", "prefillTokens", "tokensPerStep", "weights", "kv",
        "weightBytesPerGpu", "kvBytesPerGpu", "kvBytesPerToken", "flopsPerGpu", "commBytesPerGpu",
        "secondsWeights", "secondsKv", "secondsCompute", "secondsComm", "secondsEnergy", "secondsPrefill", "secondsStep", "bound",
        "schedule", "serialStepSeconds", "overlapStepSeconds", "denseTp", "replicatedKvBytesPerGpu",
        "shareWeights", "shareKv", "shareCompute", "shareComm", "sharePrefill",
        "tokensPerSecondPerUser", "tokensPerSecondPerGpu", "joulesPerToken", "fits", "maxBatchThatFits", "warnings",
    ];

    public static void Write(TextWriter output, IReadOnlyList<SolRunner.Evaluation> evaluations)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(evaluations);
        output.WriteLine(string.Join(',', Header));
        foreach (var e in evaluations)
        {
            foreach (var r in e.Results)
            {
                object?[] cells =
                [
                    r.Model, r.Gpu, r.Tp, r.Pp, r.Ep, r.AttentionDp, r.Batch, r.Context, r.PrefillTokens, r.TokensPerStep,
                    PrecisionFacts.Name(e.Prepared.Precisions.Weights), PrecisionFacts.Name(e.Prepared.Precisions.Kv),
                    r.WeightBytesPerGpu, r.KvBytesPerGpu, r.KvBytesPerToken, r.FlopsPerGpu, r.CommBytesPerGpu,
                    r.Seconds.Weights, r.Seconds.Kv, r.Seconds.Compute, r.Seconds.Comm, r.Seconds.Energy, r.Seconds.Prefill, r.Seconds.Step,
                    r.Bound.ToString().ToLowerInvariant(),
                    r.Schedule.ToString().ToLowerInvariant(), r.SerialStepSeconds, r.OverlapStepSeconds, r.DenseTp, r.ReplicatedKvBytesPerGpu,
                    r.Shares.Weights, r.Shares.Kv, r.Shares.Compute, r.Shares.Comm, r.Shares.Prefill,
                    r.TokensPerSecondPerUser, r.TokensPerSecondPerGpu, r.JoulesPerToken,
                    r.Fits ? "true" : "false", r.MaxBatchThatFits, string.Join("; ", r.Warnings),
                ];
                output.WriteLine(string.Join(',', cells.Select(Cell)));
            }
        }
    }

    internal static string Cell(object? value) => value switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        string s when s.IndexOfAny([',', '"', '\n']) >= 0 => "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"",
        _ => value.ToString() ?? "",
    };
}
