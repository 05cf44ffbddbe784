using System.Text.Json;
using System.Text.Json.Serialization;

namespace SolProfiler.Analysis;

/// <summary>
/// The JSON conventions of the snapshot API and the recordings, and of every CLI output (<c>CliJson</c>): camelCase,
/// SI units, enums as camelCase strings, NaN and infinities as named literals, the relaxed encoder.
/// </summary>
public static class AgentJson
{
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    /// <summary>Options with these conventions; <paramref name="omitNulls"/> leaves null properties out.</summary>
    public static JsonSerializerOptions Create(bool indented, bool omitNulls = false) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DictionaryKeyPolicy = null,
        WriteIndented = indented,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = omitNulls ? JsonIgnoreCondition.WhenWritingNull : JsonIgnoreCondition.Never,

        // These outputs are JSON, never HTML: '+' stays '+', not \u002B (the status page inserts text, not markup).
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
