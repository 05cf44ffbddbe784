using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SolProfiler.Cli.Report;
using Xunit.Abstractions;
using SolProfiler.Analysis.Presentation;

namespace SolProfiler.Cli.Tests;

/// <summary>
/// <c>solprof report</c>'s HTML as headless Chromium lays it out and paints it, for a sweep and for an agent recording.
/// The report has no script, so the layout is read from a copy with one measuring script appended: it writes each card's
/// and chart element's rendered box (CSS pixels, page coordinates) into a <c>data-box</c> attribute, and the DOM dump
/// carries them. The screenshot is of the untouched report, in a window as tall as the page, and is checked at those
/// boxes: the series colours are painted where the DOM says the markers and bars are.
/// </summary>
public sealed class ReportBrowserTests(ITestOutputHelper output)
{
    private const string LayoutProbe = """
        <script>
        for (const el of document.querySelectorAll('section.card, svg, svg ellipse, svg rect, svg path, svg text')) {
          const b = el.getBoundingClientRect();
          el.setAttribute('data-box', [b.left + scrollX, b.top + scrollY, b.width, b.height].map(v => v.toFixed(2)).join(' '));
        }
        document.body.setAttribute('data-page', document.documentElement.scrollWidth + ' ' + document.documentElement.scrollHeight);
        </script>
        """;

    private static readonly string[] BarCharts = ["efficiency", "causes"];

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "report", name);

    [ChromiumFact]
    public async Task Sweep_report_lays_out_every_chart_with_one_marker_per_measured_level()
    {
        using var temp = new TempFolder();
        var layout = await LayoutAsync(await RenderAsync(temp, "sweep.json"));
        var measured = SweepLevels();
        Assert.Equal(["c=1", "c=4", "c=16"], measured.Select(m => m.Label)); // the fixture: c=64 completed nothing

        AssertCommonLayout(layout, measured, FrontierCount(JsonNode.Parse(File.ReadAllText(Fixture("sweep.json")))!));
        var noData = Assert.Single(layout.Elements("efficiency", "text"), t => t.Text.Trim() == "no data"); // c=64
        Assert.True(noData.Box.Inside(layout.Svg("efficiency").Box), $"'no data' at {noData.Box} is clipped by the chart");
        AssertUnder(noData, layout.Elements("efficiency", "text").Single(t => t.Text.Trim() == "c=64"));
        Assert.DoesNotContain("id=\"causes\"", layout.Markup, StringComparison.Ordinal); // a sweep has no gap causes to chart
        Assert.Contains("id=\"no-causes\"", layout.Markup, StringComparison.Ordinal);
    }

    [ChromiumFact]
    public async Task Recording_report_lays_out_every_chart_with_one_marker_per_valid_window()
    {
        using var temp = new TempFolder();
        var layout = await LayoutAsync(await RenderAsync(temp, "recording.jsonl"));
        var measured = RecordingWindows();
        Assert.Equal(4, measured.Count); // the fixture: one of five windows is invalid

        AssertCommonLayout(layout, measured, FrontierCount(JsonNode.Parse(File.ReadAllLines(Fixture("recording.jsonl")).Last(l => l.Length > 0))!));
        var causes = layout.Svg("causes");
        AssertDrawnInside(causes, layout.Card("causes-card"), 760.0 / 300);
        var causeColours = ChartPalette.Causes.Select(c => c.Light).Prepend(ChartPalette.Sol.Light).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var stacks = layout.Elements("causes", "rect").Where(r => r["fill"] is { } f && causeColours.Contains(f)).ToList();
        Assert.All(stacks, r => Assert.True(r.Box.Inside(causes.Box), $"stack segment at {r.Box} is outside {causes.Box}"));
        var byBar = stacks.GroupBy(r => Math.Round(r.Box.CenterX)).OrderBy(g => g.Key).ToList();
        Assert.Equal(measured.Count, byBar.Count); // one stack per valid window, none for the invalid one
        foreach (var stack in byBar)
        {
            // the segments stack without gaps: each one's bottom is the top of the one below
            var ordered = stack.OrderByDescending(r => r.Box.Bottom).ToList();
            Assert.Equal(ChartPalette.Sol.Light, ordered[0]["fill"], StringComparer.OrdinalIgnoreCase);
            for (var i = 1; i < ordered.Count; i++)
            {
                Assert.True(Math.Abs(ordered[i].Box.Bottom - ordered[i - 1].Box.Top) < 1, $"bar at x {stack.Key}: segment {i} at {ordered[i].Box} does not sit on {ordered[i - 1].Box}");
            }
        }

        var invalid = Assert.Single(layout.Elements("causes", "text"), t => t.Text.Trim() == "no data");
        AssertUnder(invalid, layout.Elements("causes", "text").Single(t => t.Text.Trim() == "22:49:00"));
    }

    /// <summary>A "no data" mark stands in its point's slot: above that point's tick label on the x axis.</summary>
    private static void AssertUnder(ReportElement mark, ReportElement tick) =>
        Assert.True(Math.Abs(mark.Box.CenterX - tick.Box.CenterX) < 6, $"'no data' at {mark.Box} is not over its tick {tick.Text.Trim()} at {tick.Box}");

    [ChromiumFact]
    public Task Sweep_report_screenshot_paints_the_series_colours_where_the_charts_are() => AssertScreenshotAsync("sweep.json");

    [ChromiumFact]
    public Task Recording_report_screenshot_paints_the_series_colours_where_the_charts_are() => AssertScreenshotAsync("recording.jsonl");

    /// <summary>What every report holds: the Pareto chart, the efficiency bars and the donut, drawn inside their cards.</summary>
    private static void AssertCommonLayout(ReportLayout layout, IReadOnlyList<MeasuredPoint> measured, int frontierPoints)
    {
        Assert.True(layout.PageWidth <= HeadlessChromium.Width, $"the page is {layout.PageWidth} px wide in a {HeadlessChromium.Width} px window: something overflows sideways");

        // Pareto: the frontier is a drawn line, and there is one marker per measured point, each where its numbers say.
        var pareto = layout.Svg("pareto");
        AssertDrawnInside(pareto, layout.Card("pareto-card"), 760.0 / 420);
        var legend = Legend(layout, "pareto");
        var frontier = layout.Elements("pareto", "path").Where(p => Is(p["stroke"], ChartPalette.Frontier.Light)).MaxBy(p => p.Box.Width * p.Box.Height);
        Assert.NotNull(frontier);
        Assert.True(frontier.Box.Width > 50 && frontier.Box.Height > 50, $"the SOL frontier is drawn {frontier.Box}");
        Assert.True(frontier.Box.Inside(pareto.Box), $"the SOL frontier at {frontier.Box} leaves the chart {pareto.Box}");
        var markers = Markers(layout, "pareto", ChartPalette.Measured.Light, legend);
        Assert.Equal(measured.Count, markers.Count);
        foreach (var (marker, point) in markers.Zip(measured))
        {
            Assert.True(marker.Box.Width > 5 && Math.Abs(marker.Box.Width - marker.Box.Height) < 0.5, $"{point.Label}: marker {marker.Box}");
            Assert.True(marker.Box.Inside(pareto.Box), $"{point.Label}: marker {marker.Box} outside the chart {pareto.Box}");
        }

        // Screen x grows with tokens/s per user and screen y falls with tokens/s per GPU, in proportion to their logarithms
        // (both axes are log scales, as on the status page and in the PNGs).
        static double Lg(double v) => Math.Log10(v);
        var byUser = measured.Zip(markers).OrderBy(p => p.First.PerUser).ToList();
        var byGpu = measured.Zip(markers).OrderBy(p => p.First.PerGpu).ToList();
        Assert.True(IsSorted(byUser.Select(p => p.Second.Box.CenterX)), "markers are not ordered left to right by tokens/s per user");
        Assert.True(IsSorted(byGpu.Select(p => -p.Second.Box.CenterY)), "markers are not ordered bottom to top by tokens/s per GPU");
        var xScale = (byUser[^1].Second.Box.CenterX - byUser[0].Second.Box.CenterX) / (Lg(byUser[^1].First.PerUser) - Lg(byUser[0].First.PerUser));
        var yScale = (byGpu[0].Second.Box.CenterY - byGpu[^1].Second.Box.CenterY) / (Lg(byGpu[^1].First.PerGpu) - Lg(byGpu[0].First.PerGpu));
        var origin = (X: byUser[0].Second.Box.CenterX - (xScale * Lg(byUser[0].First.PerUser)), Y: byGpu[0].Second.Box.CenterY + (yScale * Lg(byGpu[0].First.PerGpu)));
        foreach (var (point, marker) in measured.Zip(markers))
        {
            Assert.True(Math.Abs(origin.X + (xScale * Lg(point.PerUser)) - marker.Box.CenterX) < 1.5, $"{point.Label}: x {marker.Box.CenterX} off the log axis scale");
            Assert.True(Math.Abs(origin.Y - (yScale * Lg(point.PerGpu)) - marker.Box.CenterY) < 1.5, $"{point.Label}: y {marker.Box.CenterY} off the log axis scale");
        }

        // The frontier is the curve of every batch point the input holds, labelled by batch.
        Assert.Equal(frontierPoints, Markers(layout, "pareto", ChartPalette.Frontier.Light, legend).Count);
        Assert.Contains(layout.Elements("pareto", "text"), t => t.Text.Trim() == "B=1");

        Assert.All(layout.Elements("pareto", "text").Where(t => Is(t["fill"], ChartPalette.Measured.Light)), t =>
            Assert.True(t.Box.Inside(pareto.Box), $"label {t.Text.Trim()} at {t.Box} is clipped by the chart {pareto.Box}"));

        // Efficiency: one bar per point with an efficiency, on a common baseline, heights in proportion to the efficiencies.
        var efficiency = layout.Svg("efficiency");
        AssertDrawnInside(efficiency, layout.Card("efficiency-card"), 760.0 / 300);
        var bars = layout.Elements("efficiency", "rect").Where(r => Is(r["fill"], ChartPalette.Sol.Light)).OrderBy(r => r.Box.Left).ToList();
        var withEfficiency = measured.Where(m => m.Efficiency is not null).ToList();
        Assert.Equal(withEfficiency.Count, bars.Count);
        Assert.All(bars, b => Assert.True(b.Box.Height > 10 && b.Box.Width > 10 && b.Box.Inside(efficiency.Box), $"bar at {b.Box}"));
        Assert.All(bars, b => Assert.True(Math.Abs(b.Box.Bottom - bars[0].Box.Bottom) < 0.5, $"bar at {b.Box} is not on the baseline"));
        foreach (var (bar, point) in bars.Zip(withEfficiency))
        {
            Cli.Close(point.Efficiency!.Value / withEfficiency[0].Efficiency!.Value, bar.Box.Height / bars[0].Box.Height, 0.02, $"{point.Label}: bar height ratio");
        }

        // Donut: every component with a share is a drawn arc inside the donut.
        var donut = layout.Svg("sol-donut");
        AssertDrawnInside(donut, layout.Card("donut-card"), 1);
        var arcs = DonutArcs(layout);
        Assert.NotEmpty(arcs);
        Assert.All(arcs, a => Assert.True(a.Box.Width > 2 && a.Box.Height > 2 && a.Box.Inside(donut.Box), $"arc {a["fill"]} at {a.Box}"));
    }

    private static bool Is(string? colour, string expected) => string.Equals(colour, expected, StringComparison.OrdinalIgnoreCase);

    /// <summary>The chart's legend box (the plot draws its legend inside the plot area, over a shadow); null when it has none.</summary>
    private static Box? Legend(ReportLayout layout, string svgId) =>
        layout.Elements(svgId, "rect").Where(r => r["fill-opacity"] == "0.2").Select(r => (Box?)new Box(r.Box.Left - 4, r.Box.Top - 4, r.Box.Width + 4, r.Box.Height + 4)).FirstOrDefault();

    /// <summary>The markers of one series, in drawing (data) order, leaving out its sample in the legend.</summary>
    private static List<ReportElement> Markers(ReportLayout layout, string svgId, string colour, Box? legend) =>
        layout.Elements(svgId, "ellipse")
            .Where(e => Is(e["fill"], colour) && !(legend is { } l && e.Box.Inside(l)))
            .ToList();

    /// <summary>The donut's arcs: the paths filled in a component's colour.</summary>
    private static List<ReportElement> DonutArcs(ReportLayout layout) =>
        layout.Elements("sol-donut", "path").Where(p => ChartPalette.Components.Any(c => Is(p["fill"], c.Light))).ToList();

    /// <summary>The chart is drawn at a real size, keeps its viewBox's aspect ratio, and fits in its card (nothing clipped).</summary>
    private static void AssertDrawnInside(ReportElement svg, Box card, double aspect)
    {
        Assert.True(svg.Box.Width > 150 && svg.Box.Height > 100, $"chart {svg["id"]} is drawn {svg.Box}");
        Cli.Close(aspect, svg.Box.Width / svg.Box.Height, 0.02, $"chart {svg["id"]} aspect ratio");
        Assert.True(svg.Box.Inside(card), $"chart {svg["id"]} at {svg.Box} sticks out of its card {card}");
    }

    private async Task AssertScreenshotAsync(string fixture)
    {
        using var temp = new TempFolder();
        var report = await RenderAsync(temp, fixture);
        var layout = await LayoutAsync(report);
        var png = temp.File("report.png");
        await HeadlessChromium.ScreenshotAsync(new Uri(report), png, layout.PageHeight);
        KeepScreenshot(png, Path.GetFileNameWithoutExtension(fixture));

        var image = PngImage.Read(png);
        Assert.Equal(HeadlessChromium.Width, image.Width);
        Assert.Equal(layout.PageHeight, image.Height);
        var counts = image.Pixels.GroupBy(p => p).ToDictionary(g => g.Key, g => g.Count());
        // A blank or unstyled page has a handful of colours and one that covers nearly everything.
        Assert.True(counts.Count > 200, $"only {counts.Count} distinct colours");
        Assert.True(counts.Values.Max() < 0.9 * image.Pixels.Count, "one colour covers 90 % of the page");
        int Pixel(double x, double y) => image.Pixels[((int)y * image.Width) + (int)x];
        string Hex(int rgb) => "#" + rgb.ToString("x6", CultureInfo.InvariantCulture);

        // Each measured marker is painted in the measured colour at its centre.
        var measuredColour = Rgb(ChartPalette.Measured.Light);
        var markers = Markers(layout, "pareto", ChartPalette.Measured.Light, Legend(layout, "pareto"));
        Assert.NotEmpty(markers);
        foreach (var marker in markers)
        {
            Assert.True(Pixel(marker.Box.CenterX, marker.Box.CenterY) == measuredColour,
                $"marker at {marker.Box}: {Hex(Pixel(marker.Box.CenterX, marker.Box.CenterY))} at its centre, not {ChartPalette.Measured.Light}");
        }

        // The dashed SOL frontier is painted in its colour inside the Pareto chart.
        Assert.True(CountInside(image, layout.Svg("pareto").Box, Rgb(ChartPalette.Frontier.Light)) > 100, "no SOL frontier pixels in the Pareto chart");

        // Every bar (efficiency, and each segment of the causes stacks) big enough to have a solid middle is painted in
        // its fill there, and the fills are the report's series colours.
        var series = new[] { ChartPalette.Sol.Light }.Concat(ChartPalette.Causes.Select(c => c.Light)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var bars = BarCharts.Where(id => layout.Markup.Contains($"id=\"{id}\"", StringComparison.Ordinal))
            .SelectMany(id => layout.Elements(id, "rect")).Where(r => r["fill"] is { } f && series.Contains(f)).ToList();
        Assert.NotEmpty(bars);
        var checkedBars = 0;
        foreach (var bar in bars.Where(b => b.Box.Width >= 4 && b.Box.Height >= 4))
        {
            var fill = bar["fill"]!;
            Assert.Contains(fill, series);
            Assert.True(Pixel(bar.Box.CenterX, bar.Box.CenterY) == Rgb(fill),
                $"{Hex(Pixel(bar.Box.CenterX, bar.Box.CenterY))} in the middle of a bar filled {fill} at {bar.Box}");
            checkedBars++;
        }

        Assert.True(checkedBars >= 3, $"only {checkedBars} bars are big enough to check");

        // Each arc of the donut is painted in its component's colour, inside the donut (the legend's swatches are outside it).
        var donut = layout.Svg("sol-donut").Box;
        foreach (var arc in DonutArcs(layout))
        {
            var colour = arc["fill"]!;
            Assert.True(CountInside(image, donut, Rgb(colour)) > 50, $"donut arc {colour} is not painted");
        }
    }

    private static int CountInside(PngImage image, Box box, int rgb)
    {
        var count = 0;
        for (var y = Math.Max(0, (int)box.Top); y < Math.Min(image.Height, (int)Math.Ceiling(box.Bottom)); y++)
        {
            for (var x = Math.Max(0, (int)box.Left); x < Math.Min(image.Width, (int)Math.Ceiling(box.Right)); x++)
            {
                if (image.Pixels[(y * image.Width) + x] == rgb)
                {
                    count++;
                }
            }
        }

        return count;
    }

    private static int Rgb(string hex)
    {
        Assert.Matches("^#[0-9a-fA-F]{6}$", hex);
        return int.Parse(hex.AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    private static bool IsSorted(IEnumerable<double> values)
    {
        var list = values.ToList();
        return list.Zip(list.Skip(1)).All(p => p.First < p.Second);
    }

    /// <summary>SOLPROF_SCREENSHOT_DIR keeps the pictures (to look at them, or at a CI failure).</summary>
    private void KeepScreenshot(string png, string name)
    {
        var keep = Environment.GetEnvironmentVariable("SOLPROF_SCREENSHOT_DIR");
        if (!string.IsNullOrEmpty(keep))
        {
            Directory.CreateDirectory(keep);
            File.Copy(png, Path.Combine(keep, $"report-{name}.png"), overwrite: true);
            output.WriteLine($"screenshot kept in {keep}");
        }
    }

    private static async Task<string> RenderAsync(TempFolder temp, string fixture)
    {
        var html = temp.File("report.html");
        var run = await Cli.Run("report", Fixture(fixture), "-o", html);
        Assert.True(run.ExitCode == 0, run.ToString());
        return html;
    }

    /// <summary>Opens a copy of the report with the layout probe appended, in the same folder, and reads the boxes back.</summary>
    private static async Task<ReportLayout> LayoutAsync(string report)
    {
        var html = await File.ReadAllTextAsync(report);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase); // the probe is the page's only script
        var probed = Path.Combine(Path.GetDirectoryName(report)!, "report.layout.html");
        await File.WriteAllTextAsync(probed, html.Replace("</body>", LayoutProbe + "</body>", StringComparison.Ordinal));
        return new ReportLayout(new RenderedPage(await HeadlessChromium.DumpDomAsync(new Uri(probed))));
    }

    /// <summary>The sweep fixture's levels that completed requests, read straight from the JSON.</summary>
    /// <summary>The frontier's points the input holds (the recording's last line carries the frontier the report draws).</summary>
    private static int FrontierCount(JsonNode input) => input["frontier"]!.AsArray().Count;

    private static List<MeasuredPoint> SweepLevels() =>
        JsonNode.Parse(File.ReadAllText(Fixture("sweep.json")))!["levels"]!.AsArray()
            .Where(l => (int)l!["completed"]! > 0)
            .Select(l => new MeasuredPoint(
                "c=" + ((int)l!["concurrency"]!).ToString(CultureInfo.InvariantCulture),
                (double)l["tokensPerSecondPerUser"]!,
                (double)l["outputTokensPerSecondPerGpu"]!,
                (double?)l["efficiency"]))
            .ToList();

    /// <summary>The recording fixture's valid windows with an operating point, read straight from the JSON lines.</summary>
    private static List<MeasuredPoint> RecordingWindows() =>
        File.ReadAllLines(Fixture("recording.jsonl"))
            .Where(line => line.Length > 0)
            .Select(line => JsonNode.Parse(line)!)
            .Where(s => (bool)s["valid"]! && s["operatingPoint"] is not null)
            .Select(s => new MeasuredPoint(
                DateTimeOffset.Parse((string)s["timestamp"]!, CultureInfo.InvariantCulture).UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
                (double)s["operatingPoint"]!["tokensPerSecondPerUser"]!,
                (double)s["operatingPoint"]!["tokensPerSecondPerGpu"]!,
                (double?)s["gap"]?["efficiency"]))
            .ToList();

    private sealed record MeasuredPoint(string Label, double PerUser, double PerGpu, double? Efficiency);
}

/// <summary>A rendered box in CSS pixels, page coordinates.</summary>
internal readonly record struct Box(double Left, double Top, double Width, double Height)
{
    public double Right => Left + Width;

    public double Bottom => Top + Height;

    public double CenterX => Left + (Width / 2);

    public double CenterY => Top + (Height / 2);

    /// <summary>Inside <paramref name="outer"/>, give or take half a pixel of anti-aliasing.</summary>
    public bool Inside(Box outer) =>
        Left >= outer.Left - 0.5 && Top >= outer.Top - 0.5 && Right <= outer.Right + 0.5 && Bottom <= outer.Bottom + 0.5;

    public static Box Parse(string? text)
    {
        var parts = (text ?? throw new Xunit.Sdk.XunitException("no data-box: the layout probe did not run")).Split(' ');
        Assert.Equal(4, parts.Length);
        var v = parts.Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return new Box(v[0], v[1], v[2], v[3]);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"({Left:0.#}, {Top:0.#}) {Width:0.#}x{Height:0.#}");
}

/// <summary>One element of the dumped DOM: its start tag, rendered box and (for text) its own text.</summary>
internal sealed record ReportElement(string StartTag, Box Box, string Text)
{
    public string? this[string attribute] => RenderedPage.Attribute(StartTag, attribute);
}

/// <summary>The report's DOM as Chromium dumped it after the layout probe ran.</summary>
internal sealed class ReportLayout(RenderedPage page)
{
    public string Markup => page.Markup;

    public int PageWidth => PageSize()[0];

    public int PageHeight => PageSize()[1];

    public Box Card(string id) => Box.Parse(RenderedPage.Attribute(page.StartTag(id) ?? throw new Xunit.Sdk.XunitException($"no card '{id}'"), "data-box"));

    public ReportElement Svg(string id)
    {
        var tag = page.StartTag(id) ?? throw new Xunit.Sdk.XunitException($"no chart '{id}'");
        Assert.StartsWith("<svg", tag, StringComparison.Ordinal);
        return new ReportElement(tag, Box.Parse(RenderedPage.Attribute(tag, "data-box")), "");
    }

    /// <summary>The elements of one tag inside the chart with this id, in document order.</summary>
    public IReadOnlyList<ReportElement> Elements(string svgId, string tag)
    {
        var svg = Regex.Match(Markup, $"<svg\\b[^>]*\\sid=\"{Regex.Escape(svgId)}\"[^>]*>(.*?)</svg>", RegexOptions.Singleline);
        Assert.True(svg.Success, $"no chart '{svgId}'");
        return Regex.Matches(svg.Groups[1].Value, $"(<{tag}\\b[^>]*>)([^<]*)")
            .Select(m => new ReportElement(m.Groups[1].Value, Box.Parse(RenderedPage.Attribute(m.Groups[1].Value, "data-box")), System.Net.WebUtility.HtmlDecode(m.Groups[2].Value)))
            .ToList();
    }

    private int[] PageSize()
    {
        var body = Regex.Match(Markup, "<body\\b[^>]*>");
        var size = RenderedPage.Attribute(body.Value, "data-page") ?? throw new Xunit.Sdk.XunitException("no data-page: the layout probe did not run");
        return size.Split(' ').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
    }
}
