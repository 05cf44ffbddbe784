using System.Text.RegularExpressions;

namespace SolProfiler.Cli.Tests;

/// <summary>The default table view.</summary>
public partial class TableOutputTests
{
    [GeneratedRegex(@"\x1B\[[0-9;?]*[A-Za-z]")]
    private static partial Regex AnsiEscape();

    [Theory]
    [InlineData("1", "(1 GPU per replica)")]
    [InlineData("2", "(2 GPUs per replica)")]
    public async Task The_parallelism_line_counts_gpus_in_words(string tp, string expected)
    {
        var run = await Cli.Run("sol", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--tp", tp, "--batch", "1", "--context", "1024");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(expected, AnsiEscape().Replace(run.Stdout, ""), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Table_shows_one_row_per_batch_with_its_bound()
    {
        string[] args = ["sol", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--batch", "1,64,1024", "--context", "8192"];
        var run = await Cli.Run(args);
        Assert.True(run.ExitCode == 0, run.ToString());
        var text = AnsiEscape().Replace(run.Stdout, "");
        Assert.Contains("SOL per decode step", text, StringComparison.Ordinal);

        // Table rows: cells between box-drawing bars; a data row's first cell is the batch.
        var rows = text.Split('\n')
            .Where(l => l.Contains('│', StringComparison.Ordinal))
            .Select(l => l.Split('│').Select(c => c.Trim()).Where((_, i) => i > 0).ToArray())
            .Where(cells => cells.Length > 2 && int.TryParse(cells[0], out _))
            .ToArray();
        Assert.Equal(["1", "64", "1024"], rows.Select(r => r[0]));

        var json = await Cli.JsonArray(args);
        for (var i = 0; i < json.Length; i++)
        {
            var bound = Cli.Str(json[i], "bound");
            Assert.True(rows[i].Contains(bound), $"row for batch {rows[i][0]} should show bound '{bound}': {string.Join(" | ", rows[i])}");
        }
    }
}
