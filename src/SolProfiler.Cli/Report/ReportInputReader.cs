using System.Globalization;
using System.Text.Json;
using SolProfiler.Analysis;
using SolProfiler.Cli.Sweep;
using SolProfiler.Sol;

namespace SolProfiler.Cli.Report;

/// <summary>
/// Reads a report's input and tells its kind: a sweep result (one JSON object with <c>"kind": "solprof-sweep"</c>) or an
/// agent recording (JSON lines, each a snapshot with <c>configuration</c>, <c>operatingPoint</c> and <c>gap</c>), each
/// read back by the type that wrote it. Anything else is a one-line <see cref="SolInputException"/> naming the file and
/// what was expected.
/// </summary>
public static class ReportInputReader
{
    public const string SweepKind = ContractSniff.SweepKind;

    private const string Expected = $"expected a sweep result (a JSON object with \"kind\": \"{SweepKind}\") or an agent recording (JSON lines with configuration/operatingPoint/gap)";

    public static ReportData Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var text = Common.InputFiles.ReadText(path, "report");

        var whole = ContractSniff.Object(text);
        if (ContractSniff.Kind(whole) == SweepKind)
        {
            return SweepReader.Read(path, Typed(path, "as a sweep result", () => SweepFiles.Parse(text)));
        }

        if (ContractSniff.IsSnapshot(whole))
        {
            return RecordingReader.Read(path, [Typed(path, "as an agent snapshot", () => AgentJson.ReadSnapshot(text))]);
        }

        if (ContractSniff.Kind(whole) is { } kind)
        {
            throw new SolInputException($"report: '{path}' is of kind '{kind}'; {Expected}");
        }

        var lines = text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var snapshots = new List<AgentSnapshot>(lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            var where = $"line {(i + 1).ToString(CultureInfo.InvariantCulture)}";
            if (!ContractSniff.IsSnapshot(ContractSniff.Object(lines[i])))
            {
                throw new SolInputException($"report: '{path}' {where} is not an agent snapshot; {Expected}");
            }

            var line = lines[i];
            snapshots.Add(Typed(path, where, () => AgentJson.ReadSnapshot(line)));
        }

        return snapshots.Count > 0
            ? RecordingReader.Read(path, snapshots)
            : throw new SolInputException($"report: '{path}' is empty; {Expected}");
    }

    /// <summary>A contract read by its type; a member that does not fit is one line naming the file and the member.</summary>
    private static T Typed<T>(string path, string where, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (JsonException e)
        {
            throw new SolInputException($"report: '{path}' {where} does not read: {e.Message}", e);
        }
    }
}
