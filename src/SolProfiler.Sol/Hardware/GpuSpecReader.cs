using System.Text.Json.Nodes;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Sol.Hardware;

/// <summary>
/// Turns one GPU entry (JSON object in the catalog schema) into a <see cref="GpuSpec"/>.
/// Built-in entries must give a source for every number; a user file may give plain numbers,
/// whose source is then the file itself. Every error names the entry and the key.
/// </summary>
internal static partial class GpuSpecReader
{
    private const double JoulesPerPicojoule = 1e-12;

    public static GpuSpec Read(JsonObject o, string origin, bool requireSources)
    {
        var id = RequiredString(o, "id", origin, "<unnamed>");
        var ctx = new Context(id, origin, requireSources);
        return new GpuSpec
        {
            Id = id,
            Name = RequiredString(o, "name", origin, id),
            Vendor = RequiredString(o, "vendor", origin, id),
            DeviceNamePatterns = ctx.StringArray(o, "deviceNamePatterns"),
            MemoryBytes = ctx.Positive(o, "memoryBytes"),
            MemoryBandwidthBytesPerSecond = ctx.Positive(o, "memoryBandwidthBytesPerSecond"),
            PeakFlopsPerSecond = ctx.PerMath(o, "peakFlopsPerSecond", 1.0),
            ScaleUpName = RequiredString(ctx.Object(o, "scaleUp"), "name", origin, id + ".scaleUp"),
            LinkBandwidthBytesPerSecondPerDirection = ctx.Positive(ctx.Object(o, "scaleUp"), "bandwidthBytesPerSecondPerDirection", "scaleUp."),
            CollectiveLatencySeconds = ctx.NonNegative(ctx.Object(o, "scaleUp"), "collectiveLatencySeconds", "scaleUp."),
            ScaleUpDomainSize = ctx.Positive(ctx.Object(o, "scaleUp"), "domainSize", "scaleUp."),
            ScaleUpAlgorithms = ctx.Algorithms(ctx.Object(o, "scaleUp")),
            InSwitchReductionName = Context.InSwitchName(ctx.Object(o, "scaleUp")),
            ScaleOut = ctx.ScaleOut(o),
            PowerCapWatts = ctx.Positive(o, "powerCapWatts"),
            IdlePowerWatts = ctx.NonNegative(o, "idlePowerWatts"),
            HbmJoulesPerBit = ctx.NonNegative(ctx.Object(o, "energy"), "hbmPicojoulesPerBit", "energy.").Scaled(JoulesPerPicojoule),
            LinkJoulesPerBit = ctx.NonNegative(ctx.Object(o, "energy"), "linkPicojoulesPerBit", "energy.").Scaled(JoulesPerPicojoule),
            JoulesPerFlop = ctx.PerMath(ctx.Object(o, "energy"), "picojoulesPerFlop", JoulesPerPicojoule, "energy."),
            Origin = origin,
        };
    }

    public static string RequiredString(JsonObject o, string key, string origin, string entry)
    {
        if (o[key] is JsonValue v && v.TryGetValue(out string? s) && !string.IsNullOrWhiteSpace(s))
        {
            return s;
        }

        throw new SolInputException($"{origin}: GPU '{entry}' needs a string '{key}'");
    }

    private static SourcedValue Scaled(this SourcedValue v, double factor) => v with { Value = v.Value * factor };

    private sealed partial record Context(string Id, string Origin, bool RequireSources)
    {
        public JsonObject Object(JsonObject o, string key) =>
            o[key] as JsonObject ?? throw Error(key, "is missing or not an object");

        public List<string> StringArray(JsonObject o, string key)
        {
            if (o[key] is not JsonArray a)
            {
                throw Error(key, "is missing or not an array of strings");
            }

            var list = new List<string>();
            foreach (var item in a)
            {
                if (item is JsonValue v && v.TryGetValue(out string? s) && !string.IsNullOrWhiteSpace(s))
                {
                    try
                    {
                        _ = new System.Text.RegularExpressions.Regex(s);
                    }
                    catch (ArgumentException e)
                    {
                        throw Error(key, $"has an invalid regular expression '{s}': {e.Message}");
                    }

                    list.Add(s);
                }
                else
                {
                    throw Error(key, "must hold only non-empty strings");
                }
            }

            return list;
        }

        public SourcedValue Positive(JsonObject o, string key, string prefix = "")
        {
            var v = Value(o, key, prefix);
            return v.Value > 0 ? v : throw Error(prefix + key, $"must be > 0 (got {v.Value})");
        }

        public SourcedValue NonNegative(JsonObject o, string key, string prefix = "")
        {
            var v = Value(o, key, prefix);
            return v.Value >= 0 ? v : throw Error(prefix + key, $"must be >= 0 (got {v.Value})");
        }

        public Dictionary<MathPrecision, SourcedValue> PerMath(JsonObject o, string key, double factor, string prefix = "")
        {
            var table = Object(o, key);
            var result = new Dictionary<MathPrecision, SourcedValue>();
            foreach (var (name, _) in table)
            {
                if (!Enum.TryParse<MathPrecision>(name, ignoreCase: true, out var math) || !Enum.IsDefined(math))
                {
                    throw Error($"{prefix}{key}.{name}", $"is not a math precision (expected {string.Join(", ", Enum.GetValues<MathPrecision>().Select(PrecisionFacts.Name))})");
                }

                result[math] = Positive(table, name, $"{prefix}{key}.").Scaled(factor);
            }

            return result;
        }

        private SourcedValue Value(JsonObject o, string key, string prefix)
        {
            var node = o[key];
            switch (node)
            {
                case JsonValue plain when !RequireSources && plain.TryGetValue(out double number):
                    return new SourcedValue(number, $"user file {Origin}");
                case JsonObject obj:
                    if (obj["value"] is not JsonValue vv || !vv.TryGetValue(out double value) || !double.IsFinite(value))
                    {
                        throw Error(prefix + key, "needs a numeric 'value'");
                    }

                    var source = obj["source"] is JsonValue sv && sv.TryGetValue(out string? s) && !string.IsNullOrWhiteSpace(s) ? s : null;
                    if (source is null && RequireSources)
                    {
                        throw Error(prefix + key, "has no 'source' (every catalog number must say where it comes from)");
                    }

                    var estimate = obj["estimate"] is JsonValue ev && ev.TryGetValue(out bool e) && e;
                    var note = obj["note"] is JsonValue nv && nv.TryGetValue(out string? n) ? n : null;
                    return new SourcedValue(value, source ?? $"user file {Origin}", estimate, note);
                case null:
                    throw Error(prefix + key, "is missing");
                default:
                    throw Error(prefix + key, RequireSources ? "must be an object {value, source}" : "must be a number or an object {value, source}");
            }
        }

        public SolInputException Error(string key, string what) => new($"{Origin}: GPU '{Id}': '{key}' {what}");
    }
}
