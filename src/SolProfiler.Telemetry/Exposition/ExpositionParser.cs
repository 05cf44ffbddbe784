using System.Globalization;
using System.Text;

namespace SolProfiler.Telemetry.Exposition;

/// <summary>
/// Reads Prometheus text format 0.0.4 and OpenMetrics 1.0 bodies, streaming: the body is read in pooled chunks, never
/// held whole, and refused with <see cref="ExpositionTooLargeException"/> past <see cref="ExpositionLimits"/>.
/// Malformed lines are counted and skipped; they never discard the rest of the body.
/// </summary>
/// <remarks>
/// The format is OpenMetrics when <c>contentType</c> contains <c>application/openmetrics-text</c> or the body ends with
/// <c># EOF</c>, else Prometheus 0.0.4 (timestamps in milliseconds, stored as seconds).
/// </remarks>
public static class ExpositionParser
{
    private const string OpenMetricsContentType = "application/openmetrics-text";
    private const int TailProbeBytes = 256;

    /// <summary>Parses a whole body into a document.</summary>
    public static ExpositionDocument Parse(Stream body, ExpositionLimits? limits = null, string? contentType = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        var checkedLimits = Check(limits);
        var builder = new ExpositionDocumentBuilder(checkedLimits);
        var result = Scan(body, builder, checkedLimits, contentType);
        return builder.Build(result);
    }

    /// <summary>Parses a whole body into a document, reading the stream asynchronously.</summary>
    public static async Task<ExpositionDocument> ParseAsync(
        Stream body,
        ExpositionLimits? limits = null,
        string? contentType = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var checkedLimits = Check(limits);
        var builder = new ExpositionDocumentBuilder(checkedLimits);
        var result = await ScanAsync(body, builder, checkedLimits, contentType, ct).ConfigureAwait(false);
        return builder.Build(result);
    }

    /// <summary>
    /// As <see cref="ParseAsync"/>, sharing with the earlier parses of the same endpoint what <paramref name="reuse"/>
    /// keeps (its strings, its size): the document is the same, the allocations are not.
    /// </summary>
    public static async Task<ExpositionDocument> ParseAsync(
        Stream body,
        ExpositionReuse reuse,
        ExpositionLimits? limits,
        string? contentType,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(reuse);
        var checkedLimits = Check(limits);
        var strings = reuse.Take();
        var samples = 0;
        try
        {
            var builder = new ExpositionDocumentBuilder(checkedLimits, strings, reuse.LastSamples);
            var document = builder.Build(await ScanAsync(body, builder, checkedLimits, contentType, ct).ConfigureAwait(false));
            samples = document.SeriesCount;
            return document;
        }
        finally
        {
            reuse.Return(strings, samples);
        }
    }

    /// <summary>
    /// Parses a body held in a string (encoded to UTF-8 chunk by chunk, not copied whole). <paramref name="format"/>,
    /// when given, is the format whatever the content type and the body's end say (<c>check-metrics --content-type</c>).
    /// </summary>
    public static ExpositionDocument Parse(string text, ExpositionLimits? limits = null, string? contentType = null, ExpositionFormat? format = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var checkedLimits = Check(limits);
        var byteCount = Encoding.UTF8.GetByteCount(text);
        if (byteCount > checkedLimits.MaxBytes)
        {
            throw TooLarge(checkedLimits, byteCount, "body is");
        }

        format ??= IsOpenMetrics(contentType) ? ExpositionFormat.OpenMetrics100 : FormatFromTail(text);
        var builder = new ExpositionDocumentBuilder(checkedLimits);
        using var scanner = new ExpositionScanner(builder, checkedLimits, format);
        var encoder = Encoding.UTF8.GetEncoder();
        var chars = text.AsSpan();
        while (!chars.IsEmpty)
        {
            var target = scanner.ReadTarget().Span;
            encoder.Convert(chars, target, flush: true, out var used, out var written, out _);
            chars = chars[used..];
            if (written == 0)
            {
                break; // cannot happen: the target always has room for a whole code point
            }

            scanner.Advance(written);
        }

        scanner.Advance(0);
        return builder.Build(scanner.Result);
    }

    /// <summary>
    /// Scans a body without building a document: each sample, metadata line and line error goes to
    /// <paramref name="visitor"/>. Memory is bounded by the limits (one pooled buffer), not by the body size.
    /// </summary>
    public static ExpositionScanResult Scan(
        Stream body,
        IExpositionVisitor visitor,
        ExpositionLimits? limits = null,
        string? contentType = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(visitor);
        var checkedLimits = Check(limits);
        using var scanner = new ExpositionScanner(visitor, checkedLimits, DeclaredFormat(body, checkedLimits, contentType));
        while (true)
        {
            var target = scanner.ReadTarget();
            var read = body.Read(target.Span);
            scanner.Advance(read);
            if (read == 0)
            {
                return scanner.Result;
            }
        }
    }

    /// <summary>As <see cref="Scan"/>, reading the stream asynchronously.</summary>
    public static async Task<ExpositionScanResult> ScanAsync(
        Stream body,
        IExpositionVisitor visitor,
        ExpositionLimits? limits = null,
        string? contentType = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(visitor);
        var checkedLimits = Check(limits);
        using var scanner = new ExpositionScanner(visitor, checkedLimits, DeclaredFormat(body, checkedLimits, contentType));
        while (true)
        {
            var target = scanner.ReadTarget();
            var read = await body.ReadAsync(target, ct).ConfigureAwait(false);
            scanner.Advance(read);
            if (read == 0)
            {
                return scanner.Result;
            }
        }
    }

    internal static string FormatBytes(long bytes) =>
        bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024)} MiB")
            : bytes >= 1024 && bytes % 1024 == 0
                ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024} KiB")
                : string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");

    private static ExpositionTooLargeException TooLarge(ExpositionLimits limits, long size, string what) =>
        new(string.Create(
            CultureInfo.InvariantCulture,
            $"body exceeds the {FormatBytes(limits.MaxBytes)} limit (MaxBytes; {what} {size} bytes)"));

    private static ExpositionLimits Check(ExpositionLimits? limits)
    {
        limits ??= ExpositionLimits.Default;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limits.MaxBytes, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfNegative(limits.MaxSeries, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limits.MaxLineBytes, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limits.MaxLineBytes, 256 * 1024 * 1024, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfNegative(limits.MaxErrorsKept, nameof(limits));
        return limits;
    }

    private static bool IsOpenMetrics(string? contentType) =>
        contentType is not null && contentType.Contains(OpenMetricsContentType, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The format when it can be known before reading: from the content type, or, for a seekable stream, from its last
    /// bytes (a body over <see cref="ExpositionLimits.MaxBytes"/> is refused then without being read).
    /// Null when it is decided at the end (non-seekable, no content type, or a tail that does not hold the last line).
    /// </summary>
    private static ExpositionFormat? DeclaredFormat(Stream body, ExpositionLimits limits, string? contentType)
    {
        if (IsOpenMetrics(contentType))
        {
            return ExpositionFormat.OpenMetrics100;
        }

        if (!body.CanSeek)
        {
            return null;
        }

        long start;
        long remaining;
        try
        {
            start = body.Position;
            remaining = body.Length - start;
        }
        catch (NotSupportedException)
        {
            return null;
        }

        if (remaining > limits.MaxBytes)
        {
            throw TooLarge(limits, remaining, "body is");
        }

        if (remaining <= 0)
        {
            return ExpositionFormat.PrometheusText004;
        }

        var tailLength = (int)Math.Min(remaining, TailProbeBytes);
        Span<byte> tail = stackalloc byte[TailProbeBytes];
        try
        {
            body.Position = start + remaining - tailLength;
            body.ReadExactly(tail[..tailLength]);
        }
        catch (Exception e) when (e is NotSupportedException or EndOfStreamException or IOException)
        {
            body.Position = start;
            return null;
        }

        body.Position = start;
        return FormatFromTail(tail[..tailLength], tailLength == remaining);
    }

    private static ExpositionFormat? FormatFromTail(ReadOnlySpan<byte> tail, bool wholeBody) => EndsWithEof(tail, wholeBody) switch
    {
        true => ExpositionFormat.OpenMetrics100,
        false => ExpositionFormat.PrometheusText004,
        null => null,
    };

    /// <summary>
    /// Whether the last non-blank line is <c># EOF</c>; null when <paramref name="tail"/> (the end of a longer body) does
    /// not hold that whole line, so only reading the body can tell.
    /// </summary>
    internal static bool? EndsWithEof(ReadOnlySpan<byte> tail, bool wholeBody)
    {
        var t = tail.TrimEnd(" \t\r\n"u8);
        if (!wholeBody && !t.Contains((byte)'\n'))
        {
            // The tail is all blank, or one line's end: "a 1 5\n# EOF\n" then 300 blank lines, or "# EOF" cut at the
            // window's edge, was taken as Prometheus here but is OpenMetrics when read (shown by the fuzz harness's
            // check that the read sizes and Parse(string) do not change the document).
            return null;
        }

        if (!t.EndsWith("EOF"u8))
        {
            return false;
        }

        t = t[..^3].TrimEnd(" \t"u8);
        if (!t.EndsWith("#"u8))
        {
            return false;
        }

        t = t[..^1].TrimEnd(" \t"u8);
        return t.IsEmpty ? wholeBody : t[^1] == (byte)'\n';
    }

    /// <summary>
    /// As for a seekable stream, from the same window: the last <see cref="TailProbeBytes"/> bytes of the UTF-8 body
    /// (as many chars encode to at least that many bytes). A narrower window (64 chars) made Parse(string) and
    /// Parse(Stream) disagree on the format, and so on timestamps by 1000x, for a body ending with # EOF then 64 to 250
    /// blank lines (the fuzz harness's Parse(string) check).
    /// </summary>
    private static ExpositionFormat? FormatFromTail(string text)
    {
        var tail = text.Length > TailProbeBytes ? text.AsSpan(text.Length - TailProbeBytes) : text.AsSpan();
        Span<byte> utf8 = stackalloc byte[TailProbeBytes * 3];
        var n = Encoding.UTF8.GetBytes(tail, utf8);
        var from = Math.Max(0, n - TailProbeBytes);
        return FormatFromTail(utf8[from..n], tail.Length == text.Length && from == 0);
    }
}
