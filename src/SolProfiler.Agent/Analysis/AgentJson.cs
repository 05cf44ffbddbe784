using System.Text.Json;
using System.Text.Json.Serialization;

namespace SolProfiler.Agent.Analysis;

/// <summary>The JSON conventions of the snapshot API and the recordings: camelCase, SI units, enums as camelCase strings.</summary>
public static class AgentJson
{
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DictionaryKeyPolicy = null,
        WriteIndented = indented,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,

        // The API and the recording are JSON, never HTML: '+' stays '+', not \u002B (the page inserts text, not markup).
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
