using System.Text.Json.Serialization;

namespace SolProfiler.Cli.Sweep;

/// <summary>
/// The sweep result's source-generated serialization metadata: <c>solprof sweep</c> writes it, and <c>sol --compare</c>
/// and <c>report</c> read it back, by the same types (<see cref="SweepFiles"/>).
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(SweepResult))]
internal sealed partial class SweepJsonContext : JsonSerializerContext;
