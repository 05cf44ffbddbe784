using System.Text.Json;
using SolProfiler.Cli.Common;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Cli.Sol;

/// <summary>The JSON contract of <c>solprof sol --format json</c>: camelCase, SI units; one object, or an array when several points are asked.</summary>
public static class SolJsonWriter
{
    public static void Write(TextWriter output, IReadOnlyList<SolRunner.Evaluation> evaluations)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(evaluations);
        var results = evaluations.SelectMany(e => e.Results.Select(r => SolResultRecord.From(e.Prepared, r))).ToArray();
        output.WriteLine(results.Length == 1
            ? JsonSerializer.Serialize(results[0], CliJson.Info<SolResultRecord>())
            : JsonSerializer.Serialize(results, CliJson.Info<SolResultRecord[]>()));
    }
}
