using System.Text.Json;
using System.Text.RegularExpressions;
using SolProfiler.Analysis;
using SolProfiler.Agent.Http;

namespace SolProfiler.Agent.Tests.Http;

/// <summary>The page as first served once a snapshot exists: its headline rendered here, the snapshot embedded safely.</summary>
public sealed partial class StatusPageFirstRenderTests
{
    [GeneratedRegex("<script type=\"application/json\" id=\"initial-snapshot\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex Embedded();

    private static AgentSnapshot Snapshot(GapSummary? gap, string? invalid, string model) => new()
    {
        Timestamp = new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero),
        WindowSeconds = 30,
        Valid = gap is not null,
        InvalidReason = invalid,
        Configuration = new ConfigurationSummary(model, "h100-sxm", null, null, 8, 1, 1, 1, 8, "fp8", "fp8", "fp8", "vllm", false),
        Gap = gap,
        Sources = [],
    };

    [Fact]
    public void A_valid_window_shows_its_efficiency_and_steps_without_script()
    {
        var gap = new GapSummary(0.524, 0.006572, 0.003447, 0.003125, new GapCauses(0.001, 0.001, 0.0005, 0.0005, 0, 0.000125), 0.4, 1000, []);

        var html = StatusPageFirstRender.Render(Snapshot(gap, null, "llama-3.1-70b"));

        Assert.DoesNotContain(StatusPageFirstRender.Placeholder, html, StringComparison.Ordinal);
        Assert.Contains("data-value=\"0.524\">52.4%</div>", html, StringComparison.Ordinal);
        Assert.Contains("3.447 ms vs 6.572 ms", html, StringComparison.Ordinal);
        var json = Embedded().Match(html);
        Assert.True(json.Success, "no embedded snapshot");
        Assert.Equal(0.524, JsonDocument.Parse(json.Groups[1].Value).RootElement.GetProperty("gap").GetProperty("efficiency").GetDouble());
    }

    [Fact]
    public void Text_from_the_snapshot_cannot_close_the_script_or_add_markup()
    {
        const string hostile = "</script><img src=x onerror=alert(1)>";

        var html = StatusPageFirstRender.Render(Snapshot(null, hostile, hostile));

        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.Contains("no valid measurement: &lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;", html, StringComparison.Ordinal);
        var json = Embedded().Match(html);
        Assert.True(json.Success, "no embedded snapshot");
        var root = JsonDocument.Parse(json.Groups[1].Value).RootElement;
        Assert.Equal(hostile, root.GetProperty("invalidReason").GetString()); // the script reads back the very text
        Assert.Equal(hostile, root.GetProperty("configuration").GetProperty("model").GetString());
    }
}
