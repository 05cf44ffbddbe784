using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace SolProfiler.Agent.Configuration;

/// <summary>
/// The keys a settings class takes, and for the ones that are settings objects themselves, their keys in turn: what
/// <see cref="UnknownKeys"/> checks a configuration against. Built from each class's public properties through an
/// annotated type parameter, so the trimmer keeps them and Native AOT can read them; the nested classes are named
/// where the shape is built, since a property's type carries no such annotation.
/// </summary>
public sealed class SettingsShape
{
    private readonly Dictionary<string, SettingsShape?> _keys;

    private SettingsShape(Dictionary<string, SettingsShape?> keys) => _keys = keys;

    /// <summary>The shape of <typeparamref name="T"/>: its writable properties, and the nested shapes given by key.</summary>
    public static SettingsShape Of<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(IReadOnlyDictionary<string, SettingsShape>? nested = null)
    {
        var keys = new Dictionary<string, SettingsShape?>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (nested is not null && nested.TryGetValue(property.Name, out var shape))
            {
                keys[property.Name] = shape;
            }
            else if (property.CanWrite)
            {
                if (IsSettingsObject(property.PropertyType))
                {
                    throw new InvalidOperationException($"{typeof(T).Name}.{property.Name} is a settings object: give its shape");
                }

                keys[property.Name] = null;
            }
        }

        return new SettingsShape(keys);
    }

    /// <summary>Whether the key is a setting; <paramref name="nested"/> is its own shape when it is a settings object.</summary>
    public bool TryGet(string key, out SettingsShape? nested) => _keys.TryGetValue(key, out nested);

    /// <summary>A nested options class (not a string, value, list or dictionary): its keys must be given a shape.</summary>
    private static bool IsSettingsObject(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type);
}
