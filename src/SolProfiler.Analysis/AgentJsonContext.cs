using System.Text.Json.Serialization;

namespace SolProfiler.Analysis;

/// <summary>
/// The snapshot's source-generated serialization metadata: the one type the API, the recordings and the status page
/// write, and <c>solprof report</c> reads back. Used under <see cref="AgentJson"/>'s conventions (see
/// <see cref="AgentJson.SnapshotInfo"/>); the attribute repeats them so the generated names match.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(AgentSnapshot))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;
