using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SolProfiler.Cli.Report;

/// <summary>
/// A typed contract value as the report displays it: its members by their JSON names (the contract's, so the report's
/// labels and palette keys are the names a user sees in the file), serialized with the metadata that wrote it.
/// </summary>
internal static class ReportValues
{
    /// <summary>The scalar members in their order, as display text (numbers invariant, booleans yes/no).</summary>
    public static List<KeyValuePair<string, string>> Scalars<T>(T value, JsonSerializerOptions options)
    {
        var list = new List<KeyValuePair<string, string>>();
        if (Node(value, options) is JsonObject o)
        {
            foreach (var (key, member) in o)
            {
                if (Text(member) is { } text)
                {
                    list.Add(new(key, text));
                }
            }
        }

        return list;
    }

    /// <summary>The finite numeric members, by name; null when there is no value.</summary>
    public static IReadOnlyDictionary<string, double>? Numbers<T>(T? value, JsonSerializerOptions options)
    {
        if (value is null || Node(value, options) is not JsonObject o)
        {
            return null;
        }

        var map = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (key, member) in o)
        {
            if (member is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.GetValue<double>() is var d && double.IsFinite(d))
            {
                map[key] = d;
            }
        }

        return map;
    }

    /// <summary>An enum as the contract spells it (camelCase).</summary>
    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    /// <summary>A measured number, or null where it is missing or not finite (a report never draws NaN as zero).</summary>
    public static double? Finite(double? value) => value is { } d && double.IsFinite(d) ? d : null;

    private static JsonNode? Node<T>(T value, JsonSerializerOptions options) =>
        value is null ? null : JsonSerializer.SerializeToNode(value, options.GetTypeInfo(value.GetType()));

    private static string? Text(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>().ToString(CultureInfo.InvariantCulture),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>() ? "yes" : "no",
        _ => null,
    };
}
