using Microsoft.Extensions.Configuration;

namespace SolProfiler.Agent.Configuration;

/// <summary>
/// Every configuration key that is no setting, with its whole path (<c>serving:intervall</c>, as the other messages name keys). The binder's own check
/// stops at the first one and names it without its section.
/// </summary>
internal static class UnknownKeys
{
    /// <summary>The agent's settings: <see cref="AgentOptions"/> and its nested sections.</summary>
    public static SettingsShape Agent { get; } = SettingsShape.Of<AgentOptions>(new Dictionary<string, SettingsShape>(StringComparer.OrdinalIgnoreCase)
    {
        [nameof(AgentOptions.Serving)] = SettingsShape.Of<ServingOptions>(),
        [nameof(AgentOptions.GpuSource)] = SettingsShape.Of<GpuOptions>(),
        [nameof(AgentOptions.Record)] = SettingsShape.Of<RecordOptions>(),
        [nameof(AgentOptions.Gap)] = SettingsShape.Of<Analysis.GapOptions>(),
    });

    /// <param name="sections">Top-level sections that other settings objects own (the demo's), checked against their shapes.</param>
    public static IReadOnlyList<string> Find(IConfiguration config, SettingsShape shape, IReadOnlyDictionary<string, SettingsShape>? sections = null)
    {
        var found = new List<string>();
        Walk(config, shape, "", found, sections);
        return found;
    }

    private static void Walk(IConfiguration section, SettingsShape shape, string path, List<string> found, IReadOnlyDictionary<string, SettingsShape>? sections = null)
    {
        foreach (var child in section.GetChildren())
        {
            if (sections is not null && sections.TryGetValue(child.Key, out var owned))
            {
                Walk(child, owned, KeyName(child.Key) + ":", found);
                continue;
            }

            var key = path + KeyName(child.Key);
            if (!shape.TryGet(child.Key, out var nested))
            {
                found.Add(key);
            }
            else if (nested is not null)
            {
                Walk(child, nested, key + ":", found);
            }
        }
    }

    private static string KeyName(string key) => key.Length == 0 ? key : char.ToLowerInvariant(key[0]) + key[1..];
}
