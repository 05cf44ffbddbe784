using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SolProfiler.Sol;

namespace SolProfiler.Cli.Report;

/// <summary>
/// Reads a report's input and tells its kind: a sweep result (one JSON object with <c>"kind": "solprof-sweep"</c>) or an
/// agent recording (JSON lines, each a snapshot with <c>configuration</c>, <c>operatingPoint</c> and <c>gap</c>).
/// Anything else is a one-line <see cref="SolInputException"/> naming the file and what was expected.
/// </summary>
public static class ReportInputReader
{
    public const string SweepKind = "solprof-sweep";

    private const string Expected = $"expected a sweep result (a JSON object with \"kind\": \"{SweepKind}\") or an agent recording (JSON lines with configuration/operatingPoint/gap)";

    public static ReportData Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var text = Common.InputFiles.ReadText(path, "report");

        var whole = TryParse(text);
        if (whole is JsonObject o && JsonFields.Str(o, "kind") == SweepKind)
        {
            return SweepReader.Read(path, o);
        }

        if (whole is JsonObject single && IsSnapshot(single))
        {
            return RecordingReader.Read(path, [single]);
        }

        if (whole is JsonObject other && JsonFields.Str(other, "kind") is { } kind)
        {
            throw new SolInputException($"report: '{path}' is of kind '{kind}'; {Expected}");
        }

        var lines = text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var snapshots = new List<JsonObject>(lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            if (TryParse(lines[i]) is not JsonObject line || !IsSnapshot(line))
            {
                throw new SolInputException($"report: '{path}' line {(i + 1).ToString(CultureInfo.InvariantCulture)} is not an agent snapshot; {Expected}");
            }

            snapshots.Add(line);
        }

        return snapshots.Count > 0
            ? RecordingReader.Read(path, snapshots)
            : throw new SolInputException($"report: '{path}' is empty; {Expected}");
    }

    private static bool IsSnapshot(JsonObject o) =>
        o["configuration"] is JsonObject && (o.ContainsKey("operatingPoint") || o.ContainsKey("gap"));

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
