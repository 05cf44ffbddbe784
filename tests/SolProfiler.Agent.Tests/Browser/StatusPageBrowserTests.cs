using System.Globalization;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace SolProfiler.Agent.Tests.Browser;

/// <summary>The status page as headless Chromium renders it from a canned snapshot served on 127.0.0.1.</summary>
public sealed class StatusPageBrowserTests(ITestOutputHelper output)
{
    private static async Task<RenderedPage> RenderAsync(Func<string> snapshot, string prefix = "")
    {
        await using var host = await StatusPageHost.StartAsync(snapshot, prefix);
        return new RenderedPage(await HeadlessChromium.DumpDomAsync(host.PageUrl));
    }

    private static void AssertNoBrokenValues(RenderedPage page)
    {
        Assert.DoesNotContain("NaN", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("undefined", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\bnull\b", page.Text);
        Assert.DoesNotContain("Infinity", page.Text, StringComparison.Ordinal);
    }

    [ChromiumFact]
    public async Task Valid_snapshot_renders_efficiency_causes_donut_frontier_and_measured_point()
    {
        var page = await RenderAsync(SnapshotFixture.Live());

        var efficiency = page.StartTag("efficiency");
        Assert.Equal("0.585", RenderedPage.Attribute(efficiency, "data-value"));
        Assert.Equal("fair", RenderedPage.Attribute(efficiency, "data-band"));
        Assert.Equal("58.5%", page.InnerText("efficiency"));

        Assert.Equal(["sol", "idle", "extraBytes", "unusedBandwidth", "communication", "throttling", "unattributed"],
            page.AttributeValues("rect", "data-cause"));
        Assert.NotNull(page.StartTag("causes-bar"));

        Assert.Equal(["weights", "kv", "compute", "comm"], page.AttributeValues("path", "data-component"));
        var shares = page.AttributeValues("path", "data-share").Select(s => double.Parse(s, CultureInfo.InvariantCulture));
        Assert.Equal(1.0, shares.Sum(), 3);
        Assert.Equal("weights", page.InnerText("donut-bound"));

        var frontier = page.StartTag("frontier-path");
        Assert.Equal("10", RenderedPage.Attribute(frontier, "data-points"));
        Assert.Equal(10, RenderedPage.Attribute(frontier, "d")!.Count(c => c is 'M' or 'L'));

        var measured = page.StartTag("measured-point");
        Assert.Equal("140.8", RenderedPage.Attribute(measured, "data-x"));
        Assert.Equal("655", RenderedPage.Attribute(measured, "data-y"));

        Assert.Equal("live", RenderedPage.Attribute(page.StartTag("freshness"), "data-state"));
        Assert.NotNull(page.StartTag("demo-badge"));
        Assert.Null(page.StartTag("invalid-reason"));
        Assert.Contains("timeout 2", page.Text, StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:41234/metrics", page.Text, StringComparison.Ordinal);
        AssertNoBrokenValues(page);
    }

    [ChromiumFact]
    public async Task Invalid_snapshot_shows_its_reason_and_keeps_sources_and_frontier()
    {
        var page = await RenderAsync(SnapshotFixture.Live(s =>
        {
            s["valid"] = false;
            s["invalidReason"] = "no decode traffic in the window";
            s["operatingPoint"] = null;
            s["gap"] = null;
            s["sol"]!["shares"] = null;
            s["sol"]!["seconds"] = null;
        }));

        Assert.Contains("no decode traffic in the window", page.InnerText("invalid-reason"), StringComparison.Ordinal);
        Assert.Equal("\u2013", page.InnerText("efficiency"));
        Assert.Null(page.StartTag("measured-point"));
        Assert.Empty(page.AttributeValues("rect", "data-cause"));
        Assert.NotNull(page.StartTag("frontier-path"));
        Assert.NotNull(page.StartTag("sources-table"));
        Assert.NotNull(page.StartTag("gpus-table"));
        AssertNoBrokenValues(page);
    }

    [ChromiumFact]
    public async Task Strings_from_the_snapshot_are_text_not_markup()
    {
        const string Hostile = "<img id=\"injected\" src=x onerror=\"document.title='pwned'\">";
        var page = await RenderAsync(SnapshotFixture.Live(s =>
        {
            s["valid"] = false;
            s["invalidReason"] = Hostile;
            s["configuration"]!["model"] = Hostile;
            s["sources"]![0]!["lastError"] = Hostile;
            s["sources"]![0]!["url"] = "javascript:alert(1)";
        }));

        Assert.Null(page.StartTag("injected"));
        Assert.DoesNotContain("<img", page.Markup, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(Hostile, page.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"javascript:", page.Markup, StringComparison.Ordinal);
    }

    [ChromiumFact]
    public async Task Efficiency_above_one_is_shown_with_a_warning_not_clamped()
    {
        var page = await RenderAsync(SnapshotFixture.Live(s => s["gap"]!["efficiency"] = 1.31));

        Assert.Equal("1.31", RenderedPage.Attribute(page.StartTag("efficiency"), "data-value"));
        Assert.Equal("wrong", RenderedPage.Attribute(page.StartTag("efficiency"), "data-band"));
        Assert.Equal("131%", page.InnerText("efficiency"));
        Assert.NotNull(page.StartTag("efficiency-warning"));
    }

    [ChromiumFact]
    public async Task Snapshot_older_than_three_windows_is_stale()
    {
        var page = await RenderAsync(SnapshotFixture.Live(s =>
            s["timestamp"] = DateTimeOffset.UtcNow.AddSeconds(-4 * 30).ToString("O", CultureInfo.InvariantCulture)));

        Assert.Equal("stale", RenderedPage.Attribute(page.StartTag("freshness"), "data-state"));
        Assert.NotNull(page.StartTag("efficiency"));
    }

    [ChromiumFact]
    public async Task Page_behind_a_path_prefix_fetches_its_snapshot_relative_to_itself()
    {
        var page = await RenderAsync(SnapshotFixture.Live(), "/proxy/solprof");

        Assert.Equal("58.5%", page.InnerText("efficiency"));
        Assert.Equal("live", RenderedPage.Attribute(page.StartTag("freshness"), "data-state"));
    }

    [ChromiumFact]
    public async Task Every_null_field_renders_as_a_dash()
    {
        var page = await RenderAsync(SnapshotFixture.Live(NullEveryLeaf));

        Assert.NotNull(page.StartTag("efficiency"));
        AssertNoBrokenValues(page);
    }

    [ChromiumFact]
    public async Task Screenshot_is_a_drawn_page_not_a_blank_one()
    {
        var path = Path.Combine(Path.GetTempPath(), $"solprof-status-{Guid.NewGuid():N}.png");
        try
        {
            await using (var host = await StatusPageHost.StartAsync(SnapshotFixture.Live()))
                await HeadlessChromium.ScreenshotAsync(host.PageUrl, path);

            var image = PngImage.Read(path);
            Assert.Equal(HeadlessChromium.Width, image.Width);
            Assert.Equal(HeadlessChromium.Height, image.Height);
            var counts = image.Pixels.GroupBy(p => p).ToDictionary(g => g.Key, g => g.Count());
            // A blank or unstyled page has a handful of colours and one that covers nearly everything.
            Assert.True(counts.Count > 200, $"only {counts.Count} distinct colours");
            Assert.True(counts.Values.Max() < 0.9 * image.Pixels.Count, "one colour covers 90% of the page");
            // The charts are drawn: the SOL green (light or dark theme) and the measured marker's colour are painted.
            Assert.True(counts.ContainsKey(0x2E9D5B), "no SOL-green pixels: the causes bar or frontier is missing");
            Assert.True(counts.ContainsKey(0xE4572E) || counts.ContainsKey(0xFF7A4D), "no measured-marker pixels");

            // SOLPROF_SCREENSHOT_DIR keeps the picture (for the README, or to look at a CI failure).
            var keep = Environment.GetEnvironmentVariable("SOLPROF_SCREENSHOT_DIR");
            if (!string.IsNullOrEmpty(keep))
            {
                Directory.CreateDirectory(keep);
                File.Copy(path, Path.Combine(keep, "status-page.png"), overwrite: true);
                output.WriteLine($"screenshot kept in {keep}");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    // Keeps the shape (objects and arrays stay, so the page still finds its sections) and nulls every value in it.
    private static void NullEveryLeaf(JsonObject snapshot)
    {
        foreach (var key in snapshot.Select(p => p.Key).ToList())
        {
            if (key is "timestamp")
                continue;
            Null(snapshot, key);
        }

        static void Null(JsonNode parent, string key)
        {
            var node = parent[key];
            switch (node)
            {
                case JsonObject o:
                    foreach (var k in o.Select(p => p.Key).ToList())
                        Null(o, k);
                    break;
                case JsonArray a:
                    foreach (var item in a.OfType<JsonObject>())
                        foreach (var k in item.Select(p => p.Key).ToList())
                            Null(item, k);
                    break;
                default:
                    parent[key] = null;
                    break;
            }
        }
    }
}
