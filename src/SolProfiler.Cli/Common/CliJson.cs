using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SolProfiler.Cli.Common;

/// <summary>
/// The one set of JSON settings of the CLI's outputs: camelCase, indented, enums as camelCase strings, NaN and
/// infinities as the named literals, and the relaxed encoder. The default encoder escapes what is only unsafe inside
/// HTML (<c>+</c> as <c>\u002B</c>, quotes inside strings as <c>\u0022</c>), which these outputs never are.
/// </summary>
public static class CliJson
{
    /// <summary>Every property written, nulls included (a contract whose keys are always there).</summary>
    public static JsonSerializerOptions Options { get; } = Create(omitNulls: false);

    /// <summary>Null properties left out (readings where a missing value is an absent key).</summary>
    public static JsonSerializerOptions OmittingNulls { get; } = Create(omitNulls: true);

    private static JsonSerializerOptions Create(bool omitNulls) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = omitNulls ? JsonIgnoreCondition.WhenWritingNull : JsonIgnoreCondition.Never,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
