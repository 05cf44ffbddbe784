using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SolProfiler.Cli.Report;

/// <summary>Null-tolerant reads from a parsed JSON tree: a missing, null or mistyped value reads as null, never as zero.</summary>
internal static class JsonFields
{
    public static JsonNode? At(JsonNode? node, string path)
    {
        var current = node;
        foreach (var part in path.Split('.'))
        {
            if (current is not JsonObject o || !o.TryGetPropertyValue(part, out current))
            {
                return null;
            }
        }

        return current;
    }

    public static double? Num(JsonNode? node, string path) =>
        At(node, path) is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.GetValue<double>() is var d && double.IsFinite(d) ? d : null;

    public static int? Int(JsonNode? node, string path) => Num(node, path) is { } d ? (int)Math.Round(d) : null;

    public static string? Str(JsonNode? node, string path) => At(node, path) switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>().ToString(CultureInfo.InvariantCulture),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>() ? "yes" : "no",
        _ => null,
    };

    public static bool? Bool(JsonNode? node, string path) =>
        At(node, path) is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : null;

    /// <summary>The numeric members of an object, or null when there is no such object.</summary>
    public static IReadOnlyDictionary<string, double>? NumberMap(JsonNode? node, string path)
    {
        if (At(node, path) is not JsonObject o)
        {
            return null;
        }

        var map = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (key, value) in o)
        {
            if (value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && double.IsFinite(v.GetValue<double>()))
            {
                map[key] = v.GetValue<double>();
            }
        }

        return map;
    }

    public static LatencyPercentiles? Latency(JsonNode? node, string path) =>
        At(node, path) is JsonObject o ? new LatencyPercentiles(Num(o, "mean"), Num(o, "p50"), Num(o, "p90"), Num(o, "p99")) : null;

    public static IReadOnlyList<ReportFrontierPoint> Frontier(JsonNode? node)
    {
        if (At(node, "frontier") is not JsonArray a)
        {
            return [];
        }

        return a.Select(p => (Batch: Num(p, "batch"), X: Num(p, "tokensPerSecondPerUser"), Y: Num(p, "tokensPerSecondPerGpu"), Fits: Bool(p, "fits") ?? true))
            .Where(p => p.Batch is not null && p.X is not null && p.Y is not null)
            .Select(p => new ReportFrontierPoint(p.Batch!.Value, p.X!.Value, p.Y!.Value, p.Fits))
            .OrderBy(p => p.Batch)
            .ToArray();
    }

    /// <summary>The scalar members of an object as display text, in their order.</summary>
    public static List<KeyValuePair<string, string>> Scalars(JsonNode? node, string path)
    {
        var list = new List<KeyValuePair<string, string>>();
        if (At(node, path) is JsonObject o)
        {
            foreach (var (key, _) in o)
            {
                if (Str(o, key) is { } text)
                {
                    list.Add(new(key, text));
                }
            }
        }

        return list;
    }
}
