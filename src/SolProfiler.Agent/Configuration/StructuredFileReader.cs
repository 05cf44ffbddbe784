using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SolProfiler.Sol;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SolProfiler.Agent.Configuration;

/// <summary>Reads a user's JSON or YAML file (by extension) into a JSON tree, so the catalogs see one format.</summary>
public static class StructuredFileReader
{
    public static JsonNode Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SolInputException($"{path}: cannot read ({e.Message})", e);
        }

        var ext = Path.GetExtension(path).ToLowerInvariant();
        return ext is ".yaml" or ".yml" ? FromYaml(text, path) : FromJson(text, path);
    }

    private static JsonNode FromJson(string text, string path)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip })
                ?? throw new SolInputException($"{path}: empty document");
        }
        catch (JsonException e)
        {
            throw new SolInputException($"{path}: not valid JSON (line {e.LineNumber + 1}: {e.Message})", e);
        }
    }

    private static JsonNode FromYaml(string text, string path)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StringReader(text);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new SolInputException($"{path}: not valid YAML (line {e.Start.Line}: {e.Message})", e);
        }

        if (stream.Documents.Count == 0)
        {
            throw new SolInputException($"{path}: empty document");
        }

        return Convert(stream.Documents[0].RootNode) ?? throw new SolInputException($"{path}: empty document");
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", Convert(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    /// <summary>Plain scalars are typed as YAML 1.2's core schema types them; quoted ones stay strings.</summary>
    private static JsonValue? Scalar(YamlScalarNode s)
    {
        var v = s.Value ?? "";
        if (s.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(v);
        }

        if (v is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (v is "true" or "True" or "TRUE")
        {
            return JsonValue.Create(true);
        }

        if (v is "false" or "False" or "FALSE")
        {
            return JsonValue.Create(false);
        }

        return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? JsonValue.Create(d) : JsonValue.Create(v);
    }
}
