using System.Text.Json.Nodes;

namespace SolProfiler.Sol.Hardware;

/// <summary>
/// The collective algorithms of the scale-up fabric (<c>scaleUp.algorithms</c>) and the scale-out network
/// (<c>scaleOut</c>). The catalog must say, with a source, which algorithms its fabric runs and which NIC leaves
/// the domain, because the SOL of a collective is the least over them (DESIGN.md section 3, "collectives").
/// </summary>
internal static partial class GpuSpecReader
{
    // The JSON spelling of each algorithm; the enum's names are not the contract.
    private static readonly Dictionary<string, CollectiveAlgorithm> AlgorithmKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ring"] = CollectiveAlgorithm.Ring,
        ["oneShot"] = CollectiveAlgorithm.OneShot,
        ["inSwitch"] = CollectiveAlgorithm.InSwitch,
    };

    private sealed partial record Context
    {
        /// <summary>
        /// A user file may omit <c>algorithms</c> (ring only, the algorithm every fabric runs), and may switch one off
        /// with <c>false</c> or <c>null</c>: a user override is merged into the catalog entry, so leaving a key out
        /// would keep the catalog's.
        /// </summary>
        public Dictionary<CollectiveAlgorithm, string> Algorithms(JsonObject scaleUp)
        {
            const string Key = "scaleUp.algorithms";
            var result = new Dictionary<CollectiveAlgorithm, string>();
            switch (scaleUp["algorithms"])
            {
                case null when !RequireSources:
                    result[CollectiveAlgorithm.Ring] = $"user file {Origin}";
                    return result;
                case null:
                    throw Error(Key, "is missing (every catalog entry names the all-reduce algorithms its fabric runs, ring at least, each with a source)");
                case JsonObject table:
                    foreach (var (name, node) in table)
                    {
                        if (!AlgorithmKeys.TryGetValue(name, out var algorithm))
                        {
                            throw Error($"{Key}.{name}", $"is not a collective algorithm (expected {string.Join(", ", AlgorithmKeys.Keys)})");
                        }

                        if (node is null || (node is JsonValue off && off.TryGetValue(out bool on) && !on))
                        {
                            continue;
                        }

                        if (node is not JsonObject entry)
                        {
                            throw Error($"{Key}.{name}", "must be an object {source} (or false to switch it off)");
                        }

                        result[algorithm] = OptionalString(entry, "source") ?? (RequireSources
                            ? throw Error($"{Key}.{name}", "has no 'source' (every catalog algorithm must say where it comes from)")
                            : $"user file {Origin}");
                        if (algorithm == CollectiveAlgorithm.InSwitch && OptionalString(entry, "name") is null)
                        {
                            throw Error($"{Key}.{name}", "needs a string 'name' (what reduces in the switch, e.g. NVLS)");
                        }
                    }

                    return result.ContainsKey(CollectiveAlgorithm.Ring)
                        ? result
                        : throw Error($"{Key}.ring", "is missing (ring is the algorithm every fabric runs; the others are chosen only where faster)");
                default:
                    throw Error(Key, "must be an object such as {\"ring\": {\"source\": ...}}");
            }
        }

        /// <summary>The in-switch reduction's name; call after <see cref="Algorithms"/>, which has checked it is there.</summary>
        public static string? InSwitchName(JsonObject scaleUp) =>
            scaleUp["algorithms"] is JsonObject table && table.FirstOrDefault(kv => AlgorithmKeys.TryGetValue(kv.Key, out var a) && a == CollectiveAlgorithm.InSwitch).Value is JsonObject entry
                ? OptionalString(entry, "name")
                : null;

        /// <summary>A user file may omit <c>scaleOut</c> (or set it to null): the model then refuses groups larger than the domain.</summary>
        public ScaleOutNetwork? ScaleOut(JsonObject o)
        {
            switch (o["scaleOut"])
            {
                case null when !RequireSources:
                    return null;
                case null:
                    throw Error("scaleOut", "is missing (every catalog entry names the network that leaves its scale-up domain, with sources)");
                case JsonObject network:
                    return new ScaleOutNetwork(
                        OptionalString(network, "name") ?? throw Error("scaleOut.name", "is missing or not a non-empty string"),
                        Positive(network, "bandwidthBytesPerSecondPerDirection", "scaleOut."),
                        NonNegative(network, "latencySeconds", "scaleOut."));
                default:
                    throw Error("scaleOut", "must be an object {name, bandwidthBytesPerSecondPerDirection, latencySeconds}");
            }
        }

        private static string? OptionalString(JsonObject o, string key) =>
            o[key] is JsonValue v && v.TryGetValue(out string? s) && !string.IsNullOrWhiteSpace(s) ? s : null;
    }
}
