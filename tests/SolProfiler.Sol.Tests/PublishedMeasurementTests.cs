using System.Globalization;
using SolProfiler.Sol.Tests.Published;

namespace SolProfiler.Sol.Tests;

/// <summary>
/// Published decode measurements against the SOL of their own configurations (Published/published-decode.json). A real
/// measurement faster than the SOL means the model, the catalog or the row is wrong: the fix is never to loosen the
/// data, it is to find which (DESIGN.md section 4: an efficiency above 1 is reported, never clamped).
/// </summary>
public class PublishedMeasurementTests
{
    public static TheoryData<string> RowIds
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var row in PublishedMeasurements.Rows)
            {
                data.Add(row.Id);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(RowIds))]
    public void Published_row_does_not_beat_the_SOL(string id)
    {
        var e = PublishedMeasurements.Evaluate(PublishedMeasurements.Row(id));
        var row = e.Row;
        if (e.Sol is not { } sol)
        {
            Assert.Fail($"{id}: not evaluated: {e.Error} (source: {row.Source})");
            return;
        }

        Assert.True(row.MeasuredPerGpu is not null || row.MeasuredPerUser is not null, $"{id}: no measured figure");
        if (e.GpuEfficiency is { } g)
        {
            Assert.True(g <= 1, Beaten(id, "tokens/s/GPU", row.MeasuredPerGpu!.Value, sol.TokensPerSecondPerGpu, g, sol.Batch, row.Source));
        }

        if (e.UserEfficiency is { } u)
        {
            Assert.True(u <= 1, Beaten(id, "tokens/s/user", row.MeasuredPerUser!.Value, sol.TokensPerSecondPerUser, u, sol.Batch, row.Source));
        }
    }

    private static string Beaten(string id, string what, double measured, double sol, double efficiency, int batch, string source) =>
        string.Create(CultureInfo.InvariantCulture, $"{id}: measured {measured:0.#} {what} beats the SOL {sol:0.#} (efficiency {efficiency:0.000}, SOL at batch {batch}); source: {source}");

    [Fact]
    public void The_data_has_twenty_rows_over_every_category_each_with_its_source()
    {
        var rows = PublishedMeasurements.Rows;
        Assert.True(rows.Count >= 20, $"{rows.Count} rows; at least 20 wanted");
        Assert.Equal(rows.Count, rows.Select(r => r.Id).Distinct(StringComparer.Ordinal).Count());
        foreach (var category in PublishedMeasurements.Categories)
        {
            Assert.Contains(rows, r => r.Category == category);
        }

        foreach (var r in rows)
        {
            Assert.Contains(r.Category, PublishedMeasurements.Categories);
            Assert.False(string.IsNullOrWhiteSpace(r.Source), $"{r.Id}: no source");
            Assert.False(string.IsNullOrWhiteSpace(r.ThroughputDefinition), $"{r.Id}: no throughput definition");
            Assert.False(string.IsNullOrWhiteSpace(r.Engine), $"{r.Id}: no engine");
            Assert.True(r.MeasuredPerGpu > 0 || r.MeasuredPerUser > 0, $"{r.Id}: no measured figure");
            Assert.True(r.Context > 0 && r.Tp >= 1 && r.Pp >= 1 && r.Ep >= 1 && r.AttentionDp >= 1, $"{r.Id}: incomplete configuration");
        }
    }

    /// <summary>
    /// The README's efficiency table is rendered from the data and the SOL, so it cannot drift from either;
    /// SOLPROF_UPDATE_README=1 rewrites it instead of comparing.
    /// </summary>
    [Fact]
    public void The_README_table_is_rendered_from_the_data()
    {
        var path = PublishedMeasurements.ReadmePath();
        var readme = File.ReadAllText(path);
        var table = PublishedMeasurements.RenderTable(PublishedMeasurements.Rows.Select(PublishedMeasurements.Evaluate));
        var expected = PublishedMeasurements.ReplaceSection(readme, table);
        if (Environment.GetEnvironmentVariable("SOLPROF_UPDATE_README") == "1")
        {
            File.WriteAllText(path, expected);
            return;
        }

        Assert.True(
            string.Equals(readme, expected, StringComparison.Ordinal),
            "README.md's published-efficiency table differs from the data and the SOL; regenerate it with SOLPROF_UPDATE_README=1 dotnet test --filter FullyQualifiedName~Published");
    }
}
