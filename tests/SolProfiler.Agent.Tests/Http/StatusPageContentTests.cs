using System.Text;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using SolProfiler.Agent.Http;
using SolProfiler.Analysis.Presentation;

namespace SolProfiler.Agent.Tests.Http;

/// <summary>The embedded status page itself: present, self-contained, and fetching the snapshot relative to itself.</summary>
public sealed class StatusPageContentTests
{
    [Fact]
    public void Page_is_embedded_as_utf8_html_with_a_quoted_etag()
    {
        var bytes = StatusPageContent.Utf8.Span;
        Assert.False(bytes.StartsWith(Encoding.UTF8.Preamble));
        Assert.StartsWith("<!doctype html>", StatusPageContent.Html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(StatusPageContent.Html, Encoding.UTF8.GetString(bytes));
        Assert.Matches("^\"[0-9a-f]{16}\"$", StatusPageContent.ETag);
        Assert.Equal(StatusPageContent.ETag, StatusPageContent.ETag);
    }

    [Fact]
    public void Page_loads_nothing_from_elsewhere()
    {
        var html = StatusPageContent.Html;
        Assert.DoesNotMatch(@"<(script|img|iframe)[^>]*\ssrc=", html);
        Assert.DoesNotMatch(@"<link\b", html);
        Assert.DoesNotContain("@import", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"url\(\s*['""]?(https?:)?//", html);
    }

    [Fact]
    public void Page_fetches_the_snapshot_by_a_relative_url_and_never_uses_innerHTML()
    {
        var html = StatusPageContent.Html;
        Assert.Contains("fetch('api/v1/snapshot'", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(new Regex(@"\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write"), html);
    }

    [Fact]
    public void Page_paints_with_the_one_palette_in_both_themes_and_its_legends()
    {
        var html = StatusPageContent.Html;
        Assert.DoesNotContain("/*palette:", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/*include:", html, StringComparison.Ordinal); // every part of the page is in it
        foreach (var color in ChartPalette.All)
        {
            Assert.Contains($"{color.CssVariable}: {color.Light};", html, StringComparison.Ordinal);
            Assert.Contains($"{color.CssVariable}: {color.Dark};", html, StringComparison.Ordinal);
        }

        var json = Regex.Match(html, @"const PALETTE = (\{.*?\});").Groups[1].Value;
        var palette = JsonNode.Parse(json)!;
        Assert.Equal(ChartPalette.Causes.Select(c => c.Key), palette["causes"]!.AsArray().Select(e => (string?)e![0]));
        Assert.Equal(ChartPalette.Components.Select(c => c.Name), palette["components"]!.AsArray().Select(e => (string?)e![1]));
        Assert.Equal("--sol", (string?)palette["sol"]![2]);
    }
}
