using System.Collections;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace SolProfiler.Agent.Configuration;

/// <summary>
/// Every configuration key that is no setting, with its whole path (<c>serving:intervall</c>, as the other messages name keys). The binder's own check
/// stops at the first one and names it without its section.
/// </summary>
internal static class UnknownKeys
{
    /// <param name="sections">Top-level sections that other settings objects own (the demo's), checked against their types.</param>
    public static IReadOnlyList<string> Find(IConfiguration config, Type optionsType, IReadOnlyDictionary<string, Type>? sections = null)
    {
        var found = new List<string>();
        Walk(config, optionsType, "", found, sections);
        return found;
    }

    private static void Walk(IConfiguration section, Type type, string path, List<string> found, IReadOnlyDictionary<string, Type>? sections = null)
    {
        foreach (var child in section.GetChildren())
        {
            if (sections is not null && sections.TryGetValue(child.Key, out var owned))
            {
                Walk(child, owned, KeyName(child.Key) + ":", found);
                continue;
            }

            var property = type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            var key = path + KeyName(child.Key);
            if (property is null || !property.CanWrite && !IsSettingsObject(property.PropertyType))
            {
                found.Add(key);
            }
            else if (IsSettingsObject(property.PropertyType))
            {
                Walk(child, property.PropertyType, key + ":", found);
            }
        }
    }

    /// <summary>A nested options class, whose keys are checked in turn (not a string, value, list or dictionary).</summary>
    private static bool IsSettingsObject(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type);

    private static string KeyName(string key) => key.Length == 0 ? key : char.ToLowerInvariant(key[0]) + key[1..];
}
