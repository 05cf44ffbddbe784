using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using SolProfiler.Analysis;

namespace SolProfiler.Agent.Http;

/// <summary>The body of <c>/readyz</c>: whether every source delivers and an analysis ran, and what the window measures.</summary>
public sealed record Readiness(bool Ready, IReadOnlyList<ReadinessSource> Sources, bool Analyzed, bool Measuring, string? InvalidReason);

/// <summary>One source as <c>/readyz</c> lists it.</summary>
public sealed record ReadinessSource(string Source, bool Up, string? LastError);

/// <summary>An endpoint's answer when it has nothing to give yet.</summary>
public sealed record ApiError(string Error);

/// <summary>The agent's own HTTP bodies besides the snapshot, source-generated (what Native AOT serializes).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Readiness))]
[JsonSerializable(typeof(ApiError))]
internal sealed partial class AgentHttpJsonContext : JsonSerializerContext;

/// <summary>The agent's HTTP bodies' metadata under the snapshot API's conventions.</summary>
internal static class AgentHttpJson
{
    public static JsonTypeInfo<Readiness> Readiness { get; } = AgentJson.InfoFor<Readiness>(AgentHttpJsonContext.Default);

    public static JsonTypeInfo<ApiError> ApiError { get; } = AgentJson.InfoFor<ApiError>(AgentHttpJsonContext.Default);
}
