using System.Text;
using System.Text.RegularExpressions;
using SolProfiler.Agent.Http;

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
}
