using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace SolProfiler.Agent.Http;

/// <summary>
/// The status page served at <c>/</c>: one self-contained HTML page, put together once from the files embedded in
/// this assembly (status.html includes status.css and the script's parts), with the charts' palette written in
/// (<see cref="StatusPagePalette"/>). The ETag
/// is a hash of the bytes, so a browser revalidates cheaply and a new build of the agent is never served from cache.
/// </summary>
public static partial class StatusPageContent
{
    public const string ResourceName = "SolProfiler.Agent.StatusPage.status.html";
    public const string ContentType = "text/html; charset=utf-8";
    private const string ResourcePrefix = "SolProfiler.Agent.StatusPage.";

    private static readonly Lazy<byte[]> Bytes = new(Load);
    private static readonly Lazy<string> Text = new(() => Encoding.UTF8.GetString(Bytes.Value));
    private static readonly Lazy<string> Tag = new(() => "\"" + Convert.ToHexStringLower(SHA256.HashData(Bytes.Value))[..16] + "\"");

    /// <summary>The page as UTF-8 bytes, without a byte-order mark. Callers must not modify the array.</summary>
    public static ReadOnlyMemory<byte> Utf8 => Bytes.Value;

    public static string Html => Text.Value;

    /// <summary>A strong ETag, quoted as the header wants it.</summary>
    public static string ETag => Tag.Value;

    private static byte[] Load()
    {
        // The page is kept in small files (markup, styles, the script's parts) and served as one, self-contained.
        var html = Include().Replace(Read(ResourceName), match => Read(ResourcePrefix + match.Groups[1].Value));
        return Encoding.UTF8.GetBytes(StatusPagePalette.Apply(html));
    }

    private static string Read(string resource)
    {
        using var stream = typeof(StatusPageContent).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded resource {resource} is missing from the build");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var bytes = buffer.ToArray();
        // An editor may save a file with a BOM; the header already says UTF-8, and a BOM before <!doctype> is noise.
        return Encoding.UTF8.GetString(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? bytes.AsSpan(3) : bytes).TrimEnd('\n');
    }

    [GeneratedRegex(@"/\*include:([\w.-]+)\*/")]
    private static partial Regex Include();
}
