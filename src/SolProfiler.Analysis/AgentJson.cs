using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace SolProfiler.Analysis;

/// <summary>
/// The JSON conventions of the snapshot API and the recordings, and of every CLI output (<c>CliJson</c>): camelCase,
/// SI units, enums as camelCase strings, NaN and infinities as named literals, the relaxed encoder.
/// </summary>
public static class AgentJson
{
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    /// <summary>The snapshot, one line (the API and the recordings); typed, source-generated.</summary>
    public static JsonTypeInfo<AgentSnapshot> Snapshot { get; } = SnapshotInfo(Options);

    /// <summary>The snapshot, indented (<c>?pretty</c>).</summary>
    public static JsonTypeInfo<AgentSnapshot> SnapshotIndented { get; } = SnapshotInfo(Indented);

    /// <summary>The snapshot's generated metadata under <paramref name="conventions"/> (e.g. with an HTML-safe encoder).</summary>
    public static JsonTypeInfo<AgentSnapshot> SnapshotInfo(JsonSerializerOptions conventions) => InfoFor<AgentSnapshot>(AgentJsonContext.Default, conventions);

    /// <summary>A type's generated metadata from <paramref name="resolver"/> (a source-generated context) under these conventions.</summary>
    public static JsonTypeInfo<T> InfoFor<T>(IJsonTypeInfoResolver resolver, JsonSerializerOptions? conventions = null) =>
        (JsonTypeInfo<T>)new JsonSerializerOptions(conventions ?? Options) { TypeInfoResolver = resolver }.GetTypeInfo(typeof(T));

    /// <summary>One snapshot read back by the type that wrote it; a <see cref="JsonException"/> names what did not fit.</summary>
    public static AgentSnapshot ReadSnapshot(string json) =>
        JsonSerializer.Deserialize(json, Reading) ?? throw new JsonException("the snapshot is null");

    /// <summary>
    /// Reading: a member written null where the type does not take null is an error naming it; a member missing (a file
    /// from a build that did not write it yet) reads as its default, and the readers check the ones they need.
    /// </summary>
    private static JsonTypeInfo<AgentSnapshot> Reading { get; } = SnapshotInfo(new JsonSerializerOptions(Options)
    {
        RespectNullableAnnotations = true,
    });

    /// <summary>Options with these conventions; <paramref name="omitNulls"/> leaves null properties out.</summary>
    public static JsonSerializerOptions Create(bool indented, bool omitNulls = false)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DictionaryKeyPolicy = null,
            WriteIndented = indented,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            DefaultIgnoreCondition = omitNulls ? JsonIgnoreCondition.WhenWritingNull : JsonIgnoreCondition.Never,

            // These outputs are JSON, never HTML: '+' stays '+', not \u002B (the status page inserts text, not markup).
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        foreach (var converter in CamelCaseEnums.Converters())
        {
            options.Converters.Add(converter);
        }

        return options;
    }
}
