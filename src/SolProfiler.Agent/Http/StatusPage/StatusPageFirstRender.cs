using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using SolProfiler.Analysis;

namespace SolProfiler.Agent.Http;

/// <summary>
/// The status page with the snapshot current at load: the headline (efficiency, SOL against measured step) rendered
/// here, so that a text browser or a screenshot shows numbers rather than "waiting", and the whole snapshot embedded
/// as JSON for the page's script to draw at once, before its first poll.
/// </summary>
public static class StatusPageFirstRender
{
    public const string Placeholder = "<div class=\"empty\">waiting for the first snapshot…</div>";
    private const string ScriptStart = "<script>";

    // Inside <script> the JSON must not close the element: the default encoder escapes '<', '>' and '&' (\u003C...),
    // which the relaxed one of the API leaves as they are.
    private static readonly JsonTypeInfo<AgentSnapshot> InHtml = AgentJson.SnapshotInfo(new JsonSerializerOptions(AgentJson.Options) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default });

    public static string Render(AgentSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var html = StatusPageContent.Html;
        var json = JsonSerializer.Serialize(snapshot, InHtml);
        var embedded = $"<script type=\"application/json\" id=\"initial-snapshot\">{json}</script>\n";
        var script = html.LastIndexOf(ScriptStart, StringComparison.Ordinal);
        return new StringBuilder(html.Length + json.Length + 512)
            .Append(html, 0, script)
            .Append(embedded)
            .Append(html, script, html.Length - script)
            .Replace(Placeholder, Headline(snapshot))
            .ToString();
    }

    /// <summary>What the page's efficiency card says, as HTML (every text from the snapshot encoded).</summary>
    private static string Headline(AgentSnapshot snapshot)
    {
        if (snapshot.Gap is not { } gap)
        {
            var why = snapshot.InvalidReason ?? "no analysis yet";
            return $"<div class=\"empty\">no valid measurement: {WebUtility.HtmlEncode(why)}</div>";
        }

        var inv = CultureInfo.InvariantCulture;
        return string.Create(inv, $"<div class=\"eff-number\" id=\"efficiency\" data-value=\"{gap.Efficiency:R}\">{gap.Efficiency * 100:0.0}%</div>") +
            "<div class=\"eff-sub\">SOL step \u00f7 measured step</div>" +
            string.Create(inv, $"<div class=\"eff-sub\">{gap.SolStepSeconds * 1000:0.###} ms vs {gap.MeasuredStepSeconds * 1000:0.###} ms</div>");
    }
}
