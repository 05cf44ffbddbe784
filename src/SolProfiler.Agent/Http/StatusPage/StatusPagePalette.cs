using System.Text;
using System.Text.Json;
using SolProfiler.Analysis.Presentation;

namespace SolProfiler.Agent.Http;

/// <summary>
/// Writes the one palette (<see cref="ChartPalette"/>) into the status page where it is marked: its CSS custom
/// properties for the light and the dark theme, and the legends' keys, names and variables for the script.
/// </summary>
internal static class StatusPagePalette
{
    private const string LightMarker = "/*palette:light*/";
    private const string DarkMarker = "/*palette:dark*/";
    private const string ScriptMarker = "/*palette:json*/null";

    public static string Apply(string html)
    {
        foreach (var marker in new[] { LightMarker, DarkMarker, ScriptMarker })
        {
            if (!html.Contains(marker, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"the status page has no {marker} marker for the palette");
            }
        }

        return html
            .Replace(LightMarker, ChartPalette.CssDeclarations(dark: false), StringComparison.Ordinal)
            .Replace(DarkMarker, ChartPalette.CssDeclarations(dark: true), StringComparison.Ordinal)
            .Replace(ScriptMarker, Json(), StringComparison.Ordinal);
    }

    /// <summary><c>{"sol": [key, name, var], "causes": [...], "components": [...]}</c>.</summary>
    private static string Json()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WritePropertyName("sol");
            Entry(json, ChartPalette.Sol);
            json.WriteStartArray("causes");
            foreach (var c in ChartPalette.Causes)
            {
                Entry(json, c);
            }

            json.WriteEndArray();
            json.WriteStartArray("components");
            foreach (var c in ChartPalette.Components)
            {
                Entry(json, c);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Entry(Utf8JsonWriter json, ChartColor color)
    {
        json.WriteStartArray();
        json.WriteStringValue(color.Key);
        json.WriteStringValue(color.Name);
        json.WriteStringValue(color.CssVariable);
        json.WriteEndArray();
    }
}
