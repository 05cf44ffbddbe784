using System.Text.Json;
using System.Text.Json.Nodes;

namespace SolProfiler.Cli.Report;

/// <summary>
/// Tells which contract a file holds before it is read by that contract's type, so a wrong file is named for what it
/// is (a recording given as a sweep, another kind) rather than for the first member that does not fit.
/// </summary>
internal static class ContractSniff
{
    public const string SweepKind = Sweep.SweepResult.KindName;

    /// <summary>The text as one JSON object; null when it is not one.</summary>
    public static JsonObject? Object(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The object's <c>kind</c> when it is a string.</summary>
    public static string? Kind(JsonObject? o) =>
        o?["kind"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>An agent snapshot has a configuration and an operating point or a gap.</summary>
    public static bool IsSnapshot(JsonObject? o) =>
        o?["configuration"] is JsonObject && (o.ContainsKey("operatingPoint") || o.ContainsKey("gap"));
}
