using System.Text.RegularExpressions;

namespace SolProfiler.Testing.Browser;

/// <summary>
/// The DOM Chromium dumped after the page's scripts ran, with the script and style elements removed: what remains
/// is what the page built, so a stray "NaN" in it is a rendering bug, not a word in the source.
/// </summary>
public sealed partial class RenderedPage
{
    public RenderedPage(string dom)
    {
        Markup = CodeElements().Replace(dom, "");
        Text = WebUtilityDecode(Tags().Replace(Markup, " "));
    }

    public string Markup { get; }

    /// <summary>The visible text, tags removed and entities decoded.</summary>
    public string Text { get; }

    /// <summary>The start tag of the element with this id, or null.</summary>
    public string? StartTag(string id) => Regex.Match(Markup, $"<[a-zA-Z]+[^>]*\\sid=\"{Regex.Escape(id)}\"[^>]*>") is { Success: true } m ? m.Value : null;

    /// <summary>The text directly inside the element with this id (up to its first child tag).</summary>
    public string? InnerText(string id) =>
        Regex.Match(Markup, $"<[a-zA-Z]+[^>]*\\sid=\"{Regex.Escape(id)}\"[^>]*>([^<]*)<") is { Success: true } m ? WebUtilityDecode(m.Groups[1].Value) : null;

    public static string? Attribute(string? startTag, string name) =>
        startTag is null ? null : Regex.Match(startTag, $"\\s{Regex.Escape(name)}=\"([^\"]*)\"") is { Success: true } m ? WebUtilityDecode(m.Groups[1].Value) : null;

    /// <summary>The values of one attribute on every element of a tag that carries it, in document order.</summary>
    public IReadOnlyList<string> AttributeValues(string tag, string name) =>
        Regex.Matches(Markup, $"<{tag}\\s[^>]*{Regex.Escape(name)}=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();

    private static string WebUtilityDecode(string s) => System.Net.WebUtility.HtmlDecode(s);

    [GeneratedRegex("<(script|style)\\b[^>]*>.*?</\\1>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex CodeElements();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();
}
