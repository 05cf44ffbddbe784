using System.Text.RegularExpressions;
using System.Xml.Linq;
using SkiaSharp;
using SolProfiler.Analysis.Presentation;

namespace SolProfiler.Cli.Tests;

/// <summary><c>solprof report</c>: HTML from a sweep result or an agent recording, PNG charts, and clear errors for bad input.</summary>
public class ReportCommandTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "report", name);

    private static async Task<string> Render(TempFolder temp, string fixture, params string[] extra)
    {
        var html = temp.File("report.html");
        var run = await Cli.Run(["report", Fixture(fixture), "-o", html, .. extra]);
        Assert.True(run.ExitCode == 0, run.ToString());
        return await File.ReadAllTextAsync(html);
    }

    /// <summary>The page without its doctype parses as XML (the report writes XHTML-style void elements), so tags balance.</summary>
    private static XDocument Parse(string html)
    {
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        return XDocument.Parse(html["<!DOCTYPE html>".Length..]);
    }

    private static XElement ById(XDocument doc, string id) =>
        doc.Descendants().SingleOrDefault(e => (string?)e.Attribute("id") == id) ?? throw new Xunit.Sdk.XunitException($"no element with id '{id}'");

    /// <summary>
    /// The elements of one tag in a chart drawn in <paramref name="colour"/> (fill, or stroke for lines), in drawing
    /// order and before the chart's legend (its shadowed box comes after the series it names).
    /// </summary>
    private static List<XElement> Drawn(XDocument doc, string chart, string tag, string colour, string attribute = "fill")
    {
        var series = new List<XElement>();
        foreach (var e in ById(doc, chart).Descendants())
        {
            if (e.Name.LocalName == "rect" && (string?)e.Attribute("fill-opacity") == "0.2")
            {
                break; // the legend's shadow, drawn first of the legend
            }

            if (e.Name.LocalName == tag && string.Equals((string?)e.Attribute(attribute), colour, StringComparison.OrdinalIgnoreCase))
            {
                series.Add(e);
            }
        }

        return series;
    }

    private static IEnumerable<string> Texts(XDocument doc, string chart) =>
        ById(doc, chart).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim());

    private static void AssertNoExternalUrls(string html)
    {
        Assert.DoesNotMatch(new Regex("(src|href)\\s*=\\s*\"https?:", RegexOptions.IgnoreCase), html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(http", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Sweep_renders_the_pareto_chart_efficiency_bars_and_latency_table()
    {
        using var temp = new TempFolder();
        var html = await Render(temp, "sweep.json");
        var doc = Parse(html);
        Assert.NotEmpty(Drawn(doc, "pareto", "path", ChartPalette.Frontier.Light, "stroke"));
        Assert.NotEmpty(Drawn(doc, "pareto", "path", ChartPalette.Measured.Light, "stroke")); // the levels joined by concurrency
        Assert.Equal(3, Drawn(doc, "pareto", "ellipse", ChartPalette.Measured.Light).Count);
        Assert.Equal(["c=1", "c=4", "c=16"], Texts(doc, "pareto").Where(t => t.StartsWith("c=", StringComparison.Ordinal)));
        Assert.Equal(3, Drawn(doc, "efficiency", "rect", ChartPalette.Sol.Light).Count);
        Assert.NotNull(ById(doc, "sol-donut"));
        Assert.NotNull(ById(doc, "latency"));
        Assert.NotNull(ById(doc, "energy"));
        Assert.NotNull(ById(doc, "no-causes"));
        Assert.Contains("SOL step at c=16", html, StringComparison.Ordinal);
        AssertNoExternalUrls(html);
    }

    [Fact]
    public async Task A_level_without_completed_requests_reads_no_data_not_zero()
    {
        using var temp = new TempFolder();
        var doc = Parse(await Render(temp, "sweep.json"));
        Assert.Single(Texts(doc, "efficiency"), t => t == "no data"); // c=64's slot (where: ReportBrowserTests)
        Assert.Equal(3, Drawn(doc, "efficiency", "rect", ChartPalette.Sol.Light).Count); // a bar for each level with requests, none drawn as zero
        var row = ById(doc, "points").Elements().Single(r => r.Elements().FirstOrDefault()?.Value == "c=64");
        Assert.Contains("no data", row.Value, StringComparison.Ordinal);
        var latencyRow = ById(doc, "latency").Elements().Single(r => r.Elements().FirstOrDefault()?.Value == "c=64");
        Assert.DoesNotContain(latencyRow.Elements().Skip(1), c => c.Value.Trim() == "0" || c.Value.Trim() == "0.0");
        Assert.All(latencyRow.Elements().Skip(1), c => Assert.Equal("no data", c.Value));
    }

    [Fact]
    public async Task Input_strings_are_escaped()
    {
        using var temp = new TempFolder();
        var html = await Render(temp, "sweep.json");
        Assert.Contains("Llama-3.1-70B-Instruct &lt;demo&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<demo>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recording_renders_valid_windows_causes_and_no_data_for_the_invalid_one()
    {
        using var temp = new TempFolder();
        var html = await Render(temp, "recording.jsonl");
        var doc = Parse(html);
        Assert.NotEmpty(Drawn(doc, "pareto", "path", ChartPalette.Frontier.Light, "stroke"));
        Assert.Equal(4, Drawn(doc, "pareto", "ellipse", ChartPalette.Measured.Light).Count);
        Assert.Equal(4, Drawn(doc, "efficiency", "rect", ChartPalette.Sol.Light).Count);
        Assert.Single(Texts(doc, "efficiency"), t => t == "no data");
        Assert.Equal(4, Drawn(doc, "causes", "rect", ChartPalette.Sol.Light).Count);
        Assert.True(ChartPalette.Causes.Sum(c => Drawn(doc, "causes", "rect", c.Light).Count) >= 4, "the causes stack on the SOL step");
        Assert.Contains("Efficiency over time", html, StringComparison.Ordinal);
        AssertNoExternalUrls(html);
    }

    [Fact]
    public async Task Point_option_chooses_the_donut_level_and_rejects_out_of_range()
    {
        using var temp = new TempFolder();
        Assert.Contains("SOL step at c=1<", await Render(temp, "sweep.json", "--point", "0"), StringComparison.Ordinal);
        var run = await Cli.Run("report", Fixture("sweep.json"), "-o", temp.File("r.html"), "--point", "9");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--point 9", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sweep.json", new[] { "pareto.png", "efficiency.png", "donut.png" })]
    [InlineData("recording.jsonl", new[] { "pareto.png", "efficiency.png", "causes.png", "donut.png" })]
    public async Task Png_charts_exist_and_are_not_blank(string fixture, string[] expected)
    {
        using var temp = new TempFolder();
        var folder = temp.File("png");
        await Render(temp, fixture, "--png", folder);
        Assert.Equal(expected.Order(StringComparer.Ordinal), Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var name in expected)
        {
            using var bitmap = SKBitmap.Decode(Path.Combine(folder, name));
            Assert.NotNull(bitmap);
            var colours = new HashSet<uint>();
            for (var y = 0; y < bitmap.Height; y += 7)
            {
                for (var x = 0; x < bitmap.Width; x += 7)
                {
                    colours.Add((uint)bitmap.GetPixel(x, y));
                }
            }

            Assert.True(colours.Count > 8, $"{name} has only {colours.Count} colours");
        }
    }

    [Fact]
    public async Task Wrong_kind_input_is_a_clear_error()
    {
        using var temp = new TempFolder();
        var run = await Cli.Run("report", Fixture("wrong-kind.json"), "-o", temp.File("r.html"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("wrong-kind.json", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("solprof-sweep", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Trim().Split('\n'));
        Assert.False(File.Exists(temp.File("r.html")));
    }

    [Fact]
    public async Task Lines_that_are_not_snapshots_are_a_clear_error()
    {
        using var temp = new TempFolder();
        var input = temp.Write("other.jsonl", "{\"a\":1}\n{\"b\":2}\n");
        var run = await Cli.Run("report", input, "-o", temp.File("r.html"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("line 1 is not an agent snapshot", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_file_is_a_clear_error()
    {
        using var temp = new TempFolder();
        var run = await Cli.Run("report", temp.File("nope.json"), "-o", temp.File("r.html"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("nope.json' does not exist", run.Stderr, StringComparison.Ordinal);
    }
}
