using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using SolProfiler.Analysis;
using SolProfiler.Cli.CheckMetrics;
using SolProfiler.Cli.Gpus;
using SolProfiler.Cli.Scrape;
using SolProfiler.Cli.Sol.Compare;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Cli.Common;

/// <summary>
/// The CLI's JSON outputs, indented, with the conventions of the agent's API (<see cref="AgentJson"/>): one definition.
/// The default encoder escaped what is only unsafe inside HTML (<c>+</c> as <c>\u002B</c>), which these never are.
/// Each output is written through its source-generated metadata (<see cref="Info{T}"/>), which Native AOT compiles.
/// </summary>
public static class CliJson
{
    /// <summary>Every property written, nulls included (a contract whose keys are always there).</summary>
    public static JsonSerializerOptions Options => AgentJson.Indented;

    /// <summary>Null properties left out (readings where a missing value is an absent key).</summary>
    public static JsonSerializerOptions OmittingNulls { get; } = AgentJson.Create(indented: true, omitNulls: true);

    /// <summary>As <see cref="OmittingNulls"/>, one line per document: a stream of reads as JSON Lines (<c>gpus --watch</c>).</summary>
    public static JsonSerializerOptions OmittingNullsCompact { get; } = AgentJson.Create(indented: false, omitNulls: true);

    /// <summary>An output type's generated metadata under <see cref="Options"/>, or <see cref="OmittingNulls"/>.</summary>
    public static JsonTypeInfo<T> Info<T>(bool omitNulls = false) => AgentJson.InfoFor<T>(CliJsonContext.Default, omitNulls ? OmittingNulls : Options);

    /// <summary>An output type's generated metadata under <see cref="OmittingNullsCompact"/>.</summary>
    public static JsonTypeInfo<T> CompactInfo<T>() => AgentJson.InfoFor<T>(CliJsonContext.Default, OmittingNullsCompact);
}

/// <summary>The CLI's JSON outputs' source-generated metadata (the sweep result has its own, <c>SweepJsonContext</c>).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(SolResultRecord))]
[JsonSerializable(typeof(SolResultRecord[]))]
[JsonSerializable(typeof(ComparisonDocument))]
[JsonSerializable(typeof(ScrapeJsonWriter.Record[]), TypeInfoPropertyName = "ScrapeRecords")]
[JsonSerializable(typeof(GpusJsonWriter.Document))]
[JsonSerializable(typeof(CheckMetricsWriters.Record), TypeInfoPropertyName = "CheckMetricsRecord")]
internal sealed partial class CliJsonContext : JsonSerializerContext;
