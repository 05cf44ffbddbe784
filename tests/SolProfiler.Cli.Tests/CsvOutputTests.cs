using System.Globalization;
using System.Text;

namespace SolProfiler.Cli.Tests;

/// <summary><c>--format csv</c>: a header, then one row per (TP, batch), every row as wide as the header.</summary>
public class CsvOutputTests
{
    /// <summary>RFC 4180 fields of one line (quoted fields may hold commas and doubled quotes).</summary>
    internal static List<string> Fields(string line)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        Assert.False(quoted, "unterminated quoted field: " + line);
        fields.Add(current.ToString());
        return fields;
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    [Fact]
    public async Task Csv_has_a_header_and_one_row_per_point_each_as_wide_as_the_header()
    {
        // TP 1 for a 70B model does not fit in 80 GB, so rows carry warnings too.
        var run = await Cli.Run("sol", "--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--tp-sweep", "1,4", "--batch", "1,8,64", "--context", "8192", "--format", "csv");
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = Lines(run.Stdout);
        Assert.Equal(1 + (2 * 3), lines.Length);
        var header = Fields(lines[0]);
        Assert.Contains("secondsStep", header);
        Assert.Contains("tokensPerSecondPerGpu", header);
        Assert.Contains("batch", header);
        Assert.Contains("tp", header);
        Assert.Equal(header.Count, header.Distinct(StringComparer.Ordinal).Count());
        foreach (var line in lines.Skip(1))
        {
            Assert.True(Fields(line).Count == header.Count, $"{Fields(line).Count} cells but {header.Count} columns: {line}");
        }

        var rows = lines.Skip(1).Select(Fields).ToArray();
        int Col(string name) => header.IndexOf(name);
        Assert.Equal(["1", "1", "1", "4", "4", "4"], rows.Select(r => r[Col("tp")]));
        Assert.Equal(["1", "8", "64", "1", "8", "64"], rows.Select(r => r[Col("batch")]));
    }

    [Fact]
    public async Task Csv_numbers_are_the_json_numbers()
    {
        string[] args = ["sol", "--model", "mixtral-8x7b", "--gpu", "h100-sxm", "--tp", "2", "--batch", "4,128", "--context", "16384"];
        var run = await Cli.Run([.. args, "--format", "csv"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = Lines(run.Stdout);
        var header = Fields(lines[0]);
        var json = await Cli.JsonArray(args);
        Assert.Equal(json.Length, lines.Length - 1);
        for (var i = 0; i < json.Length; i++)
        {
            var row = Fields(lines[i + 1]);
            double Cell(string name) => double.Parse(row[header.IndexOf(name)], NumberStyles.Float, CultureInfo.InvariantCulture);
            Assert.Equal(Cli.Num(json[i], "seconds.step"), Cell("secondsStep"));
            Assert.Equal(Cli.Num(json[i], "tokensPerSecondPerGpu"), Cell("tokensPerSecondPerGpu"));
            Assert.Equal(Cli.Num(json[i], "kvBytesPerToken"), Cell("kvBytesPerToken"));
            Assert.Equal(Cli.Str(json[i], "bound"), row[header.IndexOf("bound")]);
        }
    }
}
